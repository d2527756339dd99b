/** Process entry point: runs the CLI and exits with its code (the only process.exit). */
import { report, run } from './cli/run.js';

const code = await run(process.argv.slice(2)).catch((err: unknown) => report(err));
process.exit(code);
