/**
 * The `citebot` command line: a table of sub-commands, one parser and one error
 * report. `src/main.ts` runs it and holds the only `process.exit`.
 */
import { parseArgs } from 'node:util';
import { debugRequested } from '../config.js';
import { CitebotError, isCitebotError } from '../errors.js';
import { askCommand } from './ask.js';
import { deployCommand } from './deploy.js';
import { evalCommand } from './eval.js';
import { ingestCommand } from './ingest.js';
import { serveCommand } from './serve.js';
import { startCommand } from './start.js';
import { processIo, type Io } from './io.js';
import type { CliCommand } from './command.js';

const commands: Record<string, CliCommand> = {
  ingest: ingestCommand,
  ask: askCommand,
  eval: evalCommand,
  serve: serveCommand,
  deploy: deployCommand,
  start: startCommand,
};

function usage(): string {
  const lines = Object.values(commands).map((c) => `  ${c.usage}\n      ${c.summary}`);
  return `Usage: citebot <command> [options]\n\n${lines.join('\n')}\n\nConfiguration: .env (see .env.example). DEBUG=1 shows stack traces.\n`;
}

/**
 * Runs one command line; resolves to the exit code. Exported for tests.
 *
 * @example
 * const code = await run(['ask', '--json', 'Who led the talks?']);
 */
export async function run(argv: string[], io: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.out(usage());
    return name === undefined ? 1 : 0;
  }
  const command = commands[name];
  if (!command) throw new CitebotError(`Unknown command "${name}".`, { hint: 'Run citebot help for the list.' });
  const { values, positionals } = parseCommandLine(command, rest);
  if (values.help) {
    io.out(`Usage: ${command.usage}\n${command.summary}\n`);
    return 0;
  }
  return command.run(values, positionals, io);
}

function parseCommandLine(command: CliCommand, args: string[]) {
  try {
    return parseArgs({
      args,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: command.positionals,
      strict: true,
    });
  } catch (err) {
    // parseArgs explains bad flags well; keep its words, drop its stack.
    throw new CitebotError(err instanceof Error ? err.message : String(err), { hint: `Usage: ${command.usage}` });
  }
}

/**
 * Prints an error as one line (a stack only with DEBUG) and returns the exit code.
 *
 * @example
 * const code = await run(argv).catch((err: unknown) => report(err));
 */
export function report(err: unknown, io: Io = processIo): number {
  const debug = debugRequested();
  if (isCitebotError(err)) {
    io.err(`citebot: ${err.userMessage}\n`);
    if (debug) io.err(`${err.stack}\n`);
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  io.err(`citebot: unexpected error: ${message}\n`);
  io.err(debug && err instanceof Error ? `${err.stack}\n` : 'Set DEBUG=1 for the stack trace.\n');
  return 1;
}
