/**
 * The terminal prompt as a person drives it: keys go in as a terminal sends
 * them (Ctrl+C is \x03, Ctrl+D \x04, the up arrow ESC [ A), and what the
 * person sees and which questions were asked come out. Each key is sent once
 * the prompt has answered the previous line, never on a timer.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROMPT_HELP, runPrompt, type PromptEnd } from '../src/cli/prompt.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'citebot-prompt-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

interface Session {
  asked: string[];
  screen: () => string;
  end: Promise<PromptEnd>;
  type: (keys: string) => void;
  /** Resolves when the prompt has shown itself `n` times in all. */
  prompts: (n: number) => Promise<void>;
}

function session(historyFile: string | null, terminal = true): Session {
  const input = new PassThrough();
  const output = new PassThrough();
  let screen = '';
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const count = (): number => screen.split('? ').length - 1;
  output.on('data', (chunk: Buffer) => {
    screen += chunk.toString();
    for (const w of waiters.filter((w) => count() >= w.n)) w.resolve();
  });
  const asked: string[] = [];
  const end = runPrompt({ input, output, terminal, historyFile, onQuestion: async (q) => void asked.push(q) });
  return {
    asked,
    screen: () => screen,
    end,
    type: (keys) => void input.write(keys),
    prompts: (n) => new Promise<void>((resolve) => (count() >= n ? resolve() : waiters.push({ n, resolve }))),
  };
}

describe('the terminal prompt', () => {
  it('asks each typed line; help is a command, exit quits', async () => {
    const s = session(null);
    s.type('Who led the talks?\r');
    await s.prompts(2);
    s.type('help\r');
    await s.prompts(3);
    s.type('exit\r');
    expect(await s.end).toBe('exit');
    expect(s.asked).toEqual(['Who led the talks?']);
    expect(s.screen()).toContain(PROMPT_HELP);
  });

  it.each(['quit', 'EXIT'])('%s quits too, and is never asked', async (word) => {
    const s = session(null);
    s.type(`${word}\r`);
    expect(await s.end).toBe('exit');
    expect(s.asked).toEqual([]);
  });

  it('Ctrl+C clears the line being typed and says how to quit; a second Ctrl+C quits', async () => {
    const s = session(null);
    await s.prompts(1);
    s.type('half a quest');
    s.type('\x03');
    await s.prompts(2);
    expect(s.screen()).toContain('(To quit, press Ctrl+C again or Ctrl+D, or type exit.)');
    s.type('Where is Riyadh?\r');
    await s.prompts(3);
    s.type('\x03');
    await s.prompts(4);
    s.type('\x03');
    expect(await s.end).toBe('interrupted');
    expect(s.asked).toEqual(['Where is Riyadh?']);
  });

  it('Ctrl+C, a question, then Ctrl+C does not quit: only two in a row do', async () => {
    const s = session(null);
    s.type('\x03');
    await s.prompts(2);
    s.type('One?\r');
    await s.prompts(3);
    s.type('\x03');
    await s.prompts(4);
    s.type('\x04');
    expect(await s.end).toBe('eof');
    expect(s.asked).toEqual(['One?']);
  });

  it('Ctrl+D on an empty line quits', async () => {
    const s = session(null);
    await s.prompts(1);
    s.type('\x04');
    expect(await s.end).toBe('eof');
  });

  it('keeps questions across runs: the up arrow brings back the last one', async () => {
    const historyFile = path.join(dir, 'nested', 'history');
    const first = session(historyFile);
    first.type('What is the Essential field?\r');
    await first.prompts(2);
    first.type('exit\r');
    await first.end;
    expect((await readFile(historyFile, 'utf8')).split('\n')).toContain('What is the Essential field?');

    const second = session(historyFile);
    await second.prompts(1);
    second.type('\x1b[A\x1b[A\r'); // up twice: past `exit` to the question
    await second.prompts(2);
    second.type('exit\r');
    await second.end;
    expect(second.asked).toEqual(['What is the Essential field?']);
  });

  it('reads piped lines without a prompt or history, and still knows exit', async () => {
    const historyFile = path.join(dir, 'piped-history');
    await writeFile(historyFile, 'old question\n');
    const s = session(historyFile, false);
    s.type('First?\n\nSecond?\nexit\nNever asked?\n');
    expect(await s.end).toBe('exit');
    expect(s.asked).toEqual(['First?', 'Second?']);
    expect(s.screen()).not.toContain('? ');
    expect(await readFile(historyFile, 'utf8')).toBe('old question\n');
  });
});
