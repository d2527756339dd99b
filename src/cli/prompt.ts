/**
 * The interactive prompt of `citebot start` and `citebot ask` with no
 * question: one question per line, with the habits of a shell. Ctrl+C clears
 * the line and a second one quits; Ctrl+D quits; `help`, `exit` and `quit`
 * are commands; the up arrow recalls questions from earlier runs.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';

/** Why the prompt ended: end of input (Ctrl+D), `exit`/`quit`, or Ctrl+C twice (exit code 130). */
export type PromptEnd = 'eof' | 'exit' | 'interrupted';

export interface PromptOptions {
  input: NodeJS.ReadableStream;
  /** Where the prompt, echo and notes go (stderr: stdout stays answers only). */
  output: NodeJS.WritableStream;
  /** True for a person at a terminal: prompt, line editing, history. */
  terminal: boolean;
  /** Questions are kept here across runs; null keeps none. */
  historyFile: string | null;
  onQuestion(question: string): Promise<void>;
}

/** Questions kept in the history file. */
const HISTORY_SIZE = 500;

export const PROMPT_HELP = [
  'Type a question and press Enter: citebot quotes the passages that answer it, with their sources.',
  '  help          this text',
  '  exit, quit    leave (so does Ctrl+D; Ctrl+C clears the line, twice in a row quits)',
  'The up and down arrows recall earlier questions, also from earlier runs.',
].join('\n');

/**
 * Reads questions until the person leaves; resolves to how they left.
 *
 * @example
 * const end = await runPrompt({ input: process.stdin, output: process.stderr, terminal: true,
 *   historyFile: config.historyFile, onQuestion: (q) => answerOne(library, q, {}, io) });
 * return end === 'interrupted' ? 130 : 0;
 */
export function runPrompt(options: PromptOptions): Promise<PromptEnd> {
  const { terminal, output } = options;
  const history = terminal ? readHistory(options.historyFile) : [];
  const rl = readline.createInterface({
    input: options.input,
    output,
    terminal,
    history,
    historySize: HISTORY_SIZE,
    removeHistoryDuplicates: true,
  });
  rl.setPrompt('? ');
  if (terminal && options.historyFile) {
    const file = options.historyFile;
    rl.on('history', (lines: string[]) => writeHistory(file, lines));
  }
  return new Promise<PromptEnd>((resolve) => {
    let end: PromptEnd = 'eof';
    let armed = false;
    let done = false;
    let queue = Promise.resolve();
    const prompt = (): void => {
      if (terminal) rl.prompt();
    };
    const finish = (how: PromptEnd): void => {
      done = true;
      end = how;
      rl.close();
    };
    rl.on('SIGINT', () => {
      if (armed) return finish('interrupted');
      armed = true;
      // Clear what was typed, as a shell does, and say how to leave.
      rl.write(null, { ctrl: true, name: 'e' });
      rl.write(null, { ctrl: true, name: 'u' });
      output.write('^C\n(To quit, press Ctrl+C again or Ctrl+D, or type exit.)\n');
      prompt();
    });
    rl.on('line', (line) => {
      armed = false;
      queue = queue.then(async () => {
        if (done) return; // typed ahead of an exit
        const command = line.trim().toLowerCase();
        if (command === 'exit' || command === 'quit') return finish('exit');
        if (command === 'help' || command === '?') output.write(`${PROMPT_HELP}\n`);
        else if (command !== '') await options.onQuestion(line);
        prompt();
      });
    });
    rl.on('close', () => {
      if (terminal && end === 'eof') output.write('\n');
      void queue.then(() => resolve(end));
    });
    prompt();
  });
}

/** Newest first, as readline wants it; a missing or unreadable file is an empty history. */
function readHistory(file: string | null): string[] {
  if (!file) return [];
  try {
    return readFileSync(file, 'utf8').split('\n').filter((line) => line.trim() !== '').reverse().slice(0, HISTORY_SIZE);
  } catch {
    return [];
  }
}

/** Oldest first on disk, so the file reads like a shell's history. Best effort: history is a convenience. */
function writeHistory(file: string, newestFirst: string[]): void {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${[...newestFirst].reverse().join('\n')}\n`, { mode: 0o600 });
  } catch {
    // A read-only home folder must not break asking questions.
  }
}
