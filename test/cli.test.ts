/**
 * The CLI contract, run as a user runs it, in this process through `main(argv, io)`
 * (the stdout, stderr and exit code src/main.ts gives), offline, in keyword mode
 * unless a test supplies the tiny model. The process itself: cli-process.test.ts.
 */
import fs from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { citebot, offlineEnv, ROOT, seedWorkspace, SEED } from './helpers/cli.js';

const RUBIO = 'A Trump administration team led by Secretary of State Marco Rubio';
const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

let ws: Awaited<ReturnType<typeof seedWorkspace>>;
let seedText: string;

beforeAll(async () => {
  ws = await seedWorkspace();
  seedText = await fs.readFile(SEED, 'utf8');
  const ingest = await citebot(['ingest', '--docs', ws.docs, '--index', ws.index]);
  expect(ingest.stderr).not.toMatch(/unexpected error/);
  expect(ingest.code).toBe(0);
});
afterAll(() => ws.cleanup());

async function askJson(question: string) {
  const result = await citebot(['ask', '--json', '--docs', ws.docs, '--index', ws.index, question]);
  expect(result.code).toBe(0);
  const lines = result.stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return { json: JSON.parse(lines[0]!), stderr: result.stderr };
}

describe('citebot ingest', () => {
  it('ends with one summary line naming files, passages, changes, mode and seconds', async () => {
    const result = await citebot(['ingest', '--docs', ws.docs, '--index', ws.index]);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^Indexed 1 file, \d+ passages \(0 new, 0 changed, 0 removed\) in keyword mode in [\d.]+ s\.$/);
  });
});

describe('citebot ask --json', () => {
  it('answers the Riyadh question with the Marco Rubio paragraph first, with its source', async () => {
    const { json } = await askJson('Who led the American team in Riyadh?');
    expect(json).toMatchObject({ question: 'Who led the American team in Riyadh?', answered: true, mode: 'keyword' });
    const first = json.results[0];
    expect(first.source).toBe('000_23d5e4e5b37788fb.txt');
    expect(first.text.startsWith(RUBIO)).toBe(true);
    expect(first.lines).toEqual([5, 5]);
    expect(first.paragraph).toBe(4); // the README's example: 000_23d5e4e5b37788fb.txt ¶4 (line 5)
    expect(Object.keys(first).sort()).toEqual(['lines', 'paragraph', 'score', 'source', 'text']);
  });

  it('says answered: false for a question the documents do not cover', async () => {
    const { json } = await askJson('How do I bake a chocolate cake?');
    expect(json.answered).toBe(false);
    expect(json.results).toEqual([]);
  });

  it.each([
    'What did Rubio call the first step of a long journey?',
    'What did Trump say about Zelensky?',
    'Who is Alice Weidel?',
    'Where did Vance give a speech?',
  ])('quotes only text that occurs verbatim in the source file: %s', async (question) => {
    const { json } = await askJson(question);
    for (const result of json.results) {
      expect(squash(seedText)).toContain(squash(result.text));
      const fileLines = seedText.split('\n').slice(result.lines[0] - 1, result.lines[1]).join('\n');
      expect(squash(fileLines)).toContain(squash(result.text));
    }
  });

  it('explains keyword mode in exactly one line on stderr', async () => {
    const { stderr } = await askJson('Who led the American team in Riyadh?');
    const notices = stderr.split('\n').filter((line) => /keyword mode/i.test(line));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/MODELS_DIR/);
  });

  it('answers one question per stdin line, one JSON object each', async () => {
    const input = 'Who led the American team in Riyadh?\n\nHow do I bake a chocolate cake?\n';
    const result = await citebot(['ask', '--json', '--docs', ws.docs, '--index', ws.index], { input });
    expect(result.code).toBe(0);
    const answers = result.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(answers.map((a) => a.answered)).toEqual([true, false]);
  });
});

describe('citebot ask (text)', () => {
  it('quotes each passage with title (file) › ¶n · line a and its score', async () => {
    const result = await citebot(['ask', '--docs', ws.docs, '--index', ws.index, 'Who led the American team in Riyadh?']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Answered \(confidence \d+%\):\n\n1\. Trump administration, Russia hold talks on ending Ukraine… \(000_23d5e4e5b37788fb\.txt\) › ¶\d+ · line 5  score \d\.\d{3}\n  > A Trump administration/);
  });

  it('builds the index first when it is missing', async () => {
    const fresh = path.join(ws.dir, 'fresh-index');
    const result = await citebot(['ask', '--json', '--docs', ws.docs, '--index', fresh, 'Who led the American team in Riyadh?']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).answered).toBe(true);
    expect(result.stderr).toMatch(/Indexed 1 file/);
  });
});

describe('errors: one clear line, non-zero exit, no stack trace', () => {
  it.each([
    [['ask', '--docs', '/nonexistent/docs', '--index', '/tmp/x', 'q'], /nonexistent\/docs/],
    [['ask', '--bogus', 'q'], /bogus/],
    [['ask', '--top-k', 'many', 'q'], /--top-k/],
    [['frobnicate'], /Unknown command "frobnicate"/],
    [['serve'], /DISCORD_TOKEN is not set/],
    [['deploy'], /DISCORD_TOKEN is not set/],
  ])('citebot %j', async (args, message) => {
    const result = await citebot(args);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stderr.trim().split('\n').filter((l) => l.startsWith('citebot:'))).toHaveLength(1);
  });

  it('names a bad variable from the environment', async () => {
    const result = await citebot(['ask', 'q'], { env: offlineEnv({ TOP_K: 'lots' }) });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/Invalid TOP_K="lots"/);
  });
});

describe('semantic mode with the tiny test model', () => {
  it('embeds through transformers.js from MODELS_DIR and answers in semantic+keyword mode', async () => {
    const { writeTinyModel } = await import('./fixtures/tiny-model.mjs');
    const models = path.join(ws.dir, 'models');
    await writeTinyModel(models, { name: 'citebot-test/tiny-bert', dim: 32 });
    const index = path.join(ws.dir, 'semantic-index');
    const env = offlineEnv({ MODELS_DIR: models, EMBEDDING_MODEL: 'citebot-test/tiny-bert' });
    const ingest = await citebot(['ingest', '--docs', ws.docs, '--index', index], { env });
    expect(ingest.stderr).not.toMatch(/keyword mode/i);
    expect(ingest.stdout).toMatch(/in semantic\+keyword mode/);

    const result = await citebot(['ask', '--json', '--docs', ws.docs, '--index', index, 'Who led the American team in Riyadh?'], { env });
    const json = JSON.parse(result.stdout);
    expect(json.mode).toBe('semantic+keyword');
    expect(json.results[0].text.startsWith(RUBIO)).toBe(true);

    // The vectors on disk are the model's: one 32-float row per passage.
    const current = JSON.parse(await fs.readFile(path.join(index, 'CURRENT'), 'utf8'));
    const generation = path.join(index, current.generation);
    const manifest = JSON.parse(await fs.readFile(path.join(generation, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ model: 'citebot-test/tiny-bert', dim: 32, mode: 'semantic+keyword' });
    const vectors = await fs.stat(path.join(generation, 'vectors.f32'));
    expect(vectors.size).toBe(manifest.passages * 32 * 4);
  });
});

describe('a hub that accepts connections but never answers', () => {
  let silent: Server;
  beforeAll(async () => {
    // Holds every request open: the stall a real outage or captive network causes.
    silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    silent.closeAllConnections();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('gives up after MODEL_DOWNLOAD_TIMEOUT_MS and ingests in keyword mode, saying why in one line', async () => {
    const port = (silent.address() as AddressInfo).port;
    const env = offlineEnv({
      ALLOW_MODEL_DOWNLOAD: 'true',
      MODEL_HUB_URL: `http://127.0.0.1:${port}`,
      MODEL_DOWNLOAD_TIMEOUT_MS: '400',
      MODEL_CACHE_DIR: path.join(ws.dir, 'model-cache'),
    });
    const result = await citebot(['ingest', '--docs', ws.docs, '--index', path.join(ws.dir, 'silent-index')], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/in keyword mode/);
    const notices = result.stderr.split('\n').filter((line) => /keyword mode/i.test(line));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/download timed out: 127\.0\.0\.1:\d+ sent nothing for 0\.4 s/);
  });
});

describe('citebot eval', () => {
  const questions = path.join(ROOT, 'test', 'fixtures', 'seed-questions.jsonl');

  it('reports hit@k, MRR@10, verdicts, abstention and latency as a table', async () => {
    const result = await citebot(['eval', questions, '--docs', ws.docs, '--index', ws.index]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^level\s+questions\s+hit@1\s+hit@3\s+hit@5\s+MRR@10$/m);
    expect(result.stdout).toMatch(/^passage\s+36\s/m);
    expect(result.stdout).toMatch(/^verdict\s+questions\s+answered\s+unsure\s+none$/m);
    expect(result.stdout).toMatch(/^answerable\s+36\s+[\d.]+%\s+[\d.]+%\s+[\d.]+%$/m);
    expect(result.stdout).toMatch(/^unanswerable\s+36\s+[\d.]+%\s+[\d.]+%\s+[\d.]+%$/m);
    expect(result.stdout).toMatch(/abstention \(positive = should abstain\): 36 should/);
    expect(result.stdout).toMatch(/latency: mean [\d.]+ ms, p95 [\d.]+ ms over 72 questions/);
  });

  it('--json gives the same figures as one object', async () => {
    const result = await citebot(['eval', '--json', questions, '--docs', ws.docs, '--index', ws.index]);
    const report = JSON.parse(result.stdout);
    expect(report.questions).toBe(72);
    expect(report.passage.cases).toBe(36);
    expect(report.passage.hit1).toBeGreaterThanOrEqual(0.9);
    expect(report.abstention.recall).toBeGreaterThanOrEqual(0.9);
    expect(report.verdicts.answerable.cases).toBe(36);
    expect(report.verdicts.unanswerable.none + report.verdicts.unanswerable.unsure).toBeGreaterThanOrEqual(0.9);
    expect(report.cases[0].verdict).toMatch(/^(answered|unsure|none)$/);
  });

  it('names the bad line of a broken questions file', async () => {
    const bad = path.join(ws.dir, 'bad.jsonl');
    await fs.writeFile(bad, '{"q": "fine?"}\n{not json}\n');
    const result = await citebot(['eval', bad, '--docs', ws.docs, '--index', ws.index]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/line 2/);
  });
});
