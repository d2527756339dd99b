/**
 * The `citebot` command line: a table of sub-commands, one parser and one error
 * report. `src/main.ts` runs `main` and holds the only `process.exit`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { debugRequested, PROJECT_DIR } from '../config.js';
import { CitebotError, isCitebotError } from '../errors.js';
import { askCommand } from './ask.js';
import { deployCommand } from './deploy.js';
import { evalCommand } from './eval.js';
import { ingestCommand } from './ingest.js';
import { modelsCommand } from './models.js';
import { serveCommand } from './serve.js';
import { shardCommand } from './shard.js';
import { startCommand } from './start.js';
import { processIo, type Io } from './io.js';
import type { CliCommand } from './command.js';
import { closest } from './suggest.js';

const commands: Record<string, CliCommand> = {
  ingest: ingestCommand,
  ask: askCommand,
  eval: evalCommand,
  serve: serveCommand,
  deploy: deployCommand,
  start: startCommand,
  models: modelsCommand,
  shard: shardCommand,
};

function usage(): string {
  const lines = Object.values(commands).map((c) => `  ${c.usage}\n      ${c.summary}`);
  return `Usage: citebot <command> [options]\n\n${lines.join('\n')}\n\nConfiguration: .env (see .env.example). DEBUG=1 shows stack traces.\n`;
}

/**
 * Runs one command line; resolves to the exit code, or throws what `report` prints.
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
  if (name === '--version' || name === '-v' || name === 'version') {
    io.out(`citebot ${version()}\n`);
    return 0;
  }
  const command = commands[name];
  if (!command) throw unknownCommand(name);
  const { values, positionals } = parseCommandLine(command, rest);
  if (values.help) {
    io.out(`Usage: ${command.usage}\n${command.summary}\n`);
    return 0;
  }
  return command.run(values, positionals, io);
}

function unknownCommand(name: string): CitebotError {
  const known = [...Object.keys(commands), 'help', 'version'];
  const guess = closest(name.replace(/^-+/, ''), known);
  const shown = name.startsWith('-') ? `option ${name}` : `command "${name}"`;
  return new CitebotError(`Unknown ${shown}.${guess ? ` Did you mean "${guess}"?` : ''}`, { usage: usage().trimEnd() });
}

/** The package's version, from package.json (one level above src/ and dist/). */
function version(): string {
  const pkg = JSON.parse(readFileSync(path.join(PROJECT_DIR, 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

/**
 * parseArgs, with errors a person can act on: a mistyped flag gets "did you
 * mean", a missing value says which flag needs one, and the usage follows on
 * its own lines. (parseArgs' own words name internals and leave a quote open.)
 */
function parseCommandLine(command: CliCommand, args: string[]) {
  const options = { ...command.options, help: { type: 'boolean', short: 'h' } } as const;
  const fail = (message: string): CitebotError => new CitebotError(message, { usage: `Usage: ${command.usage}` });
  checkFlags(args, options, fail);
  try {
    return parseArgs({ args, options, allowPositionals: command.positionals, strict: true });
  } catch (err) {
    throw fail(parseFailure(err, command));
  }
}

/** Unknown flags, found before parseArgs so the nearest known one can be suggested. */
function checkFlags(args: string[], options: NonNullable<ParseArgsConfig['options']>, fail: (message: string) => CitebotError): void {
  const longs = Object.keys(options);
  const shorts = Object.values(options).flatMap((o) => (o.short ? [o.short] : []));
  for (const arg of args) {
    if (arg === '--') return;
    const long = /^--([^=]+)/.exec(arg)?.[1];
    if (long !== undefined && !longs.includes(long)) {
      const guess = closest(long, longs);
      throw fail(`Unknown option --${long}.${guess ? ` Did you mean --${guess}?` : ''}`);
    }
    const short = /^-([^-])/.exec(arg)?.[1];
    if (short !== undefined && !/^-\d/.test(arg) && !shorts.includes(short)) throw fail(`Unknown option -${short}.`);
  }
}

function parseFailure(err: unknown, command: CliCommand): string {
  const code = (err as { code?: string }).code;
  const message = err instanceof Error ? err.message : String(err);
  const flag = /'(--?[\w-]+)/.exec(message)?.[1] ?? 'an option';
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    return /argument missing/.test(message) ? `${flag} needs a value.` : `${flag} takes no value.`;
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    const word = /argument '([^']*)'/.exec(message)?.[1];
    return `${command.usage.split(' ')[1]} takes no arguments${word === undefined ? '' : ` (got "${word}")`}.`;
  }
  return message.replace(/'/g, '');
}

/**
 * One command line as the process runs it: `run`, with any error reported on
 * `io`; resolves to the exit code. `src/main.ts` exits with it; tests call it
 * in-process and see the same stdout, stderr and code.
 *
 * @example
 * process.exit(await main(process.argv.slice(2)));
 */
export function main(argv: string[], io: Io = processIo): Promise<number> {
  return run(argv, io).catch((err: unknown) => report(err, io));
}

/**
 * Prints an error as one line (a stack only with DEBUG) and returns the exit code.
 *
 * @example
 * const code = await run(argv, io).catch((err: unknown) => report(err, io));
 */
export function report(err: unknown, io: Io = processIo): number {
  const debug = debugRequested(io.env);
  if (isCitebotError(err)) {
    io.err(`citebot: ${err.userMessage}\n`);
    if (err.usage) io.err(`\n${err.usage}\n`);
    if (debug) io.err(`${err.stack}\n`);
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  io.err(`citebot: unexpected error: ${message}\n`);
  io.err(debug && err instanceof Error ? `${err.stack}\n` : 'Set DEBUG=1 for the stack trace.\n');
  return 1;
}
