/**
 * The command line's habits, as a person meets them: --version, "did you
 * mean", clean errors with the usage below, the prompt at a real terminal
 * (a pseudo-terminal from util-linux `script`), NO_COLOR / FORCE_COLOR, the
 * verdict in words, and what a missing or empty docs folder says. In-process
 * through `main(argv, io)`, except the prompt at a terminal (a real process).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NEXT_STEP, NOT_FOUND } from '../src/cli/format.js';
import { BIN, citebot, offlineEnv, ROOT, seedWorkspace } from './helpers/cli.js';

let ws: Awaited<ReturnType<typeof seedWorkspace>>;
const RIYADH = 'Who led the American team in Riyadh?';

beforeAll(async () => {
  ws = await seedWorkspace();
  const built = await citebot(['ingest', '--docs', ws.docs, '--index', ws.index]);
  expect(built.code).toBe(0);
});
afterAll(() => ws.cleanup());

const inWs = (args: string[], env: Record<string, string> = {}) => citebot(args, { env: offlineEnv(env) });
const located = () => ['--docs', ws.docs, '--index', ws.index];

describe('--version', () => {
  it.each(['--version', '-v'])('%s prints the version from package.json', async (flag) => {
    const { version } = JSON.parse(await fs.readFile(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const result = await inWs([flag]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`citebot ${version}\n`);
  });
});

describe('a mistyped command or flag', () => {
  it.each([
    [['ingset'], 'citebot: Unknown command "ingset". Did you mean "ingest"?', 'Usage: citebot <command> [options]'],
    [['ask', '--topk', '3', 'Who?'], 'citebot: Unknown option --topk. Did you mean --top-k?', 'Usage: citebot ask '],
    [['ask', '--jsno', 'Who?'], 'citebot: Unknown option --jsno. Did you mean --json?', 'Usage: citebot ask '],
    [['ask', '--top-k'], 'citebot: --top-k needs a value.', 'Usage: citebot ask '],
    [['ingest', '--json'], 'citebot: Unknown option --json.', 'Usage: citebot ingest '],
    [['ingest', 'now'], 'citebot: ingest takes no arguments (got "now").', 'Usage: citebot ingest '],
  ])('%j: one clean line, then the usage on its own lines', async (args, first, usage) => {
    const result = await inWs(args);
    expect(result.code).toBe(1);
    const lines = result.stderr.split('\n');
    expect(lines[0]).toBe(first);
    expect(lines[1]).toBe('');
    expect(lines[2]!.startsWith(usage)).toBe(true);
    expect(result.stderr).not.toMatch(/ERR_PARSE_ARGS|'/);
  });
});

describe('the verdict in words', () => {
  it('an answered question says so above its quotes', async () => {
    const result = await inWs(['ask', ...located(), RIYADH]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Answered \(confidence \d+%\):\n\n1\. .*000_23d5e4e5b37788fb\.txt/);
  });

  it('a question nothing answers gets no quotes and a next step', async () => {
    const result = await inWs(['ask', ...located(), 'How do I bake a chocolate cake?']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${NOT_FOUND}\n${NEXT_STEP}\n\n`);
  });

  it('--json carries the verdict', async () => {
    const result = await inWs(['ask', '--json', ...located(), 'How do I bake a chocolate cake?']);
    expect(JSON.parse(result.stdout)).toMatchObject({ answered: false, verdict: 'none', results: [] });
  });
});

describe('colour', () => {
  const BOLD = '\x1b[1m';
  it.each([
    ['piped, by default', {}, false],
    ['FORCE_COLOR=1, even piped', { FORCE_COLOR: '1' }, true],
    ['FORCE_COLOR=0', { FORCE_COLOR: '0' }, false],
    ['NO_COLOR=1', { NO_COLOR: '1' }, false],
  ])('%s: bold highlights %s', async (_name, env, bold) => {
    const result = await inWs(['ask', ...located(), RIYADH], env);
    expect(result.code).toBe(0);
    expect(result.stdout.includes(BOLD)).toBe(bold);
  });
});

describe('the docs folder', () => {
  it('missing: says so and how to fix it, in one line', async () => {
    const missing = path.join(ws.dir, 'no-such-folder');
    const result = await inWs(['ask', '--docs', missing, '--index', path.join(ws.dir, 'idx-missing'), RIYADH]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`citebot: Docs folder not found: ${missing}. Set DOCS_DIR or pass --docs DIR.\n`);
  });

  it('empty: says it is empty, not that nothing answers', async () => {
    const empty = path.join(ws.dir, 'empty-docs');
    await fs.mkdir(empty, { recursive: true });
    const result = await inWs(['ask', '--docs', empty, '--index', path.join(ws.dir, 'idx-empty'), RIYADH]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^citebot: Docs folder is empty: .*empty-docs \(no \.txt, \.md, \.html or \.pdf files, plain or \.gz\)\. Add documents to it, or pass --docs DIR\.$/m);
    expect(result.stderr).not.toContain(NOT_FOUND);
  });
});

describe('citebot start', () => {
  it('takes --docs and --index, and answers piped questions', async () => {
    const result = await citebot(['start', ...located()], { input: `${RIYADH}\nexit\nNever asked\n` });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^Ready: 1 document, \d+ passages, keyword mode\./m);
    expect(result.stdout.match(/^Answered/gm)).toHaveLength(1);
  });
});

/** util-linux `script` gives the child a real pseudo-terminal; absent elsewhere, the test says so. */
const SCRIPT = ['/usr/bin/script', '/bin/script'].find((p) => existsSync(p));

describe.skipIf(!SCRIPT)('citebot ask at a terminal with no question', () => {
  it('opens the prompt for that --docs/--index, keeps history, and exits 130 after Ctrl+C twice', async () => {
    const historyFile = path.join(ws.dir, 'history');
    const command = [process.execPath, BIN, 'ask', ...located()].map((a) => `'${a}'`).join(' ');
    const child = spawn(SCRIPT!, ['-qec', command, '/dev/null'], {
      cwd: ws.dir,
      env: offlineEnv({ HISTORY_FILE: historyFile, TERM: 'dumb' }),
    });
    let screen = '';
    const waiters: Array<{ text: string; count: number; resolve: () => void }> = [];
    const seen = (text: string) => screen.split(text).length - 1;
    child.stdout.on('data', (d: Buffer) => {
      screen += d.toString();
      for (const w of waiters.filter((w) => seen(w.text) >= w.count)) w.resolve();
    });
    const shown = (text: string, count = 1) =>
      new Promise<void>((resolve) => (seen(text) >= count ? resolve() : waiters.push({ text, count, resolve })));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));

    await shown('Ready: 1 document');
    await shown('? ');
    child.stdin.write(`${RIYADH}\r`);
    await shown('Answered (confidence');
    child.stdin.write('\x03');
    await shown('(To quit, press Ctrl+C again or Ctrl+D, or type exit.)');
    child.stdin.write('\x03');
    expect(await exited).toBe(130);
    expect(await fs.readFile(historyFile, 'utf8')).toBe(`${RIYADH}\n`);
  });
});
