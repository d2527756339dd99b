/**
 * The embedding child dies (the OOM killer, a native crash): it is restarted
 * with backoff while questions are answered in keyword mode, `/stats` says so,
 * `/reindex` refuses instead of reporting a success that changed nothing, and
 * after repeated crashes it stays in keyword mode with one clear warning.
 * The child is killed with SIGKILL, exactly what the OOM killer does.
 */
import { once } from 'node:events';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmbedderProcess } from '../../src/embed/embed-child.js';
import { RestartingEmbedder } from '../../src/embed/restarting-embedder.js';
import type { EmbedderOptions } from '../../src/embed/embedder-options.js';
import { openLibrary, type Library } from '../../src/library/library.js';
import { writeTinyModel } from '../fixtures/tiny-model.mjs';

const MODEL = 'citebot-test/tiny-bert';

let dir: string;
let options: EmbedderOptions;
let embedder: RestartingEmbedder | null;
let warnings: string[];

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'citebot-restart-'));
  await writeTinyModel(path.join(dir, 'models'), { name: MODEL, dim: 32 });
  await mkdir(path.join(dir, 'docs'));
  await writeFile(path.join(dir, 'docs', 'harbour.txt'), 'The harbour master rings the brass bell at dawn to open the quay.\n\nFishing boats leave before the tide turns.\n');
  options = { model: MODEL, modelsDir: path.join(dir, 'models'), cacheDir: path.join(dir, 'cache'), allowDownload: false, timeoutMs: 60_000, threads: 1, batchSize: 8 };
  warnings = [];
  embedder = null;
});

afterEach(async () => {
  await embedder?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A library over a restarting child; delays are short so the test needn't wait, not asserted on. */
async function serve(delaysMs: number[]): Promise<Library> {
  const warn = (line: string): void => void warnings.push(line);
  embedder = new RestartingEmbedder(await startEmbedderProcess(options), () => startEmbedderProcess(options), warn, { delaysMs });
  return openLibrary({ docsDir: path.join(dir, 'docs'), indexDir: path.join(dir, 'index'), embedder, answerThreshold: 0, topK: 3, warn });
}

function killChild(): void {
  process.kill(embedder!.pid!, 'SIGKILL');
}

describe('the embedding child dies', () => {
  it('answers in keyword mode meanwhile, says so in stats and the log, refuses /reindex, and is back after a restart', { timeout: 300_000 }, async () => {
    const library = await serve([50]);
    expect((await library.ask('Who rings the brass bell?')).mode).toBe('semantic+keyword');

    const down = once(embedder!, 'down');
    killChild();
    await down;
    const up = once(embedder!, 'up');

    const answer = await library.ask('Who rings the brass bell?');
    expect(answer.mode).toBe('keyword');
    expect(answer.results[0]?.passage.text).toContain('brass bell');
    expect(library.stats()).toMatchObject({ mode: 'keyword', model: null, keywordReason: expect.stringMatching(/^the embedding process stopped \(it was killed by SIGKILL\); restarting it in 0\.05 s$/) });
    expect(warnings).toContainEqual(expect.stringMatching(/^The embedding process stopped \(it was killed by SIGKILL\); answering in keyword mode meanwhile, restarting it in 0\.05 s\.$/));
    await expect(library.reindex()).rejects.toThrow(/^The index was not changed: semantic search is unavailable \(/);

    await up;
    expect((await library.ask('Who rings the brass bell?')).mode).toBe('semantic+keyword');
    expect(library.stats()).toMatchObject({ mode: 'semantic+keyword', model: MODEL, keywordReason: null });
    expect(warnings).toContain('The embedding process is running again: semantic mode is back.');
    await expect(library.reindex()).resolves.toMatchObject({ mode: 'semantic+keyword' });
  });

  it('after repeated crashes stays in keyword mode with one clear warning', { timeout: 300_000 }, async () => {
    const library = await serve([50]);
    const up = once(embedder!, 'up');
    killChild();
    await up;
    const gaveUp = once(embedder!, 'gave-up');
    killChild();
    await gaveUp;

    expect(warnings.filter((w) => w.startsWith('Keyword mode from now on'))).toEqual([
      expect.stringMatching(/^Keyword mode from now on: the embedding process stopped 2 times \(last: the embedding process stopped \(it was killed by SIGKILL\)\); keyword mode until citebot is restarted\. /),
    ]);
    expect(library.stats()).toMatchObject({ mode: 'keyword', keywordReason: expect.stringContaining('keyword mode until citebot is restarted') });
    const answer = await library.ask('Who rings the brass bell?');
    expect(answer.mode).toBe('keyword');
    expect(answer.results[0]?.passage.text).toContain('brass bell');
    await expect(library.reindex()).rejects.toThrow(/not changed/);
  });
});
