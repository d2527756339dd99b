/** Process entry point: runs the CLI and exits with its code (the only process.exit). */
import { main } from './cli/run.js';

process.exit(await main(process.argv.slice(2)));
