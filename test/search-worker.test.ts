/**
 * Issue 14 item 6: on a large index the keyword and dense scans run in a
 * worker thread over the vectors and postings in shared memory, so the event
 * loop (a bot's heartbeats and deferrals) is free while a question is
 * searched. Small indexes stay in the calling thread. The worker's answers
 * must be the in-process ones, exactly.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { Library, OFF_THREAD_PASSAGES } from '../src/library/library.js';
import { allocateVectors } from '../src/search/dot-kernel.js';
import { Retriever } from '../src/search/retrieve.js';
import { KeywordIndex } from '../src/search/keyword.js';
import { InProcessScanner, sharedKeywordParts } from '../src/search/scanner.js';
import type { Answer, LoadedIndex, Passage } from '../src/types.js';
import { fakeEmbedder } from './helpers/fake-embedder.js';
import { passage } from './helpers/passage.js';
import { seededRandom } from './helpers/random.mjs';
import { tempFolder } from './helpers/temp-folder.js';

const SEED = 20261203;
const DIM = 64;
const WORDS = 'river council budget vaccine trial patient protein engine market harvest museum treaty election court bridge satellite orbit archive festival storm island forest species theory sample lantern glacier harbour'.split(' ');

/** `count` passages of seeded words over files of 40, every 9th unsearchable, with their fake-embedder vectors in kernel memory. */
async function seededIndex(count: number, seed: number): Promise<LoadedIndex> {
  const random = seededRandom(seed);
  const pick = () => WORDS[Math.floor(random() * WORDS.length)]!;
  const passages: Passage[] = Array.from({ length: count }, (_, row) => {
    const text = Array.from({ length: 8 + Math.floor(random() * 20) }, pick).join(' ');
    return passage(`${text}.`, { file: `doc-${Math.floor(row / 40)}.txt`, paragraph: (row % 40) + 1, searchable: row % 9 !== 0 });
  });
  const embedded = await fakeEmbedder(DIM).embed(passages.map((p) => p.text));
  const vectors = allocateVectors(count, DIM);
  vectors.set(embedded);
  return {
    dir: '(memory)', generation: `seeded-${seed}`, passages, vectors,
    manifest: { format: 4, createdAt: '', mode: 'semantic+keyword', model: `fake-hash-${DIM}`, dim: DIM, docsDir: '', files: {}, passages: count },
  };
}

function questions(seed: number, count: number): string[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => `${Array.from({ length: 2 + Math.floor(random() * 4) }, () => WORDS[Math.floor(random() * WORDS.length)]).join(' ')}?`);
}

/** What a user is shown of an answer, and its whole ranking. */
const shown = (a: Answer) => ({ verdict: a.verdict, confidence: a.confidence, ranked: (a.ranked ?? []).map((h) => [h.passage.id, h.score, h.highlights]) });

describe(`a large index (seed ${SEED})`, () => {
  let index: LoadedIndex;
  let here: Retriever;
  let worker: Retriever;

  beforeAll(async () => {
    index = await seededIndex(3000, SEED);
    here = new Retriever(index, fakeEmbedder(DIM), { answerThreshold: 0.4 });
    worker = new Retriever(index, fakeEmbedder(DIM), { answerThreshold: 0.4, offThread: true });
  });

  afterAll(() => {
    here?.close();
    worker?.close();
  });

  it('is searched in a worker, with exactly the answers of an in-process search (semantic and keyword)', async () => {
    const asked = questions(SEED + 1, 60);
    for (const [i, q] of asked.entries()) {
      const options = { topK: 3, offset: i % 3 === 0 ? 3 : 0 };
      expect(shown(await worker.ask(q, options)), q).toEqual(shown(await here.ask(q, options)));
    }
    expect(worker.offThread).toBe(true);
    expect(here.offThread).toBe(false);
  });

  it('answers questions asked all at once, each its own', async () => {
    const asked = questions(SEED + 2, 40);
    const together = await Promise.all(asked.map((q) => worker.ask(q, { topK: 3 })));
    for (const [i, q] of asked.entries()) expect(shown(together[i]!), q).toEqual(shown(await here.ask(q, { topK: 3 })));
  });

  it('runs no scan on the calling thread (whose event loop stays free): the in-process retriever does', async () => {
    const scans = vi.spyOn(InProcessScanner.prototype, 'scanNow');
    try {
      await worker.ask('glacier harbour lantern?', { topK: 3 });
      expect(scans).not.toHaveBeenCalled();
      await here.ask('glacier harbour lantern?', { topK: 3 });
      expect(scans).toHaveBeenCalledTimes(1);
    } finally {
      scans.mockRestore();
    }
  });
});

describe('a search worker that dies', () => {
  it('while its retriever is closing still answers the question in flight, in the calling thread', async () => {
    const index = await seededIndex(300, SEED + 3);
    // Keyword mode: no question to embed first, so the scan is posted to the worker before `ask` returns.
    const here = new Retriever(index, null, { answerThreshold: 0.4 });
    const retriever = new Retriever(index, null, { answerThreshold: 0.4, offThread: true });
    const asked = retriever.ask('glacier harbour lantern?', { topK: 3 });
    retriever.close();
    // The worker is killed before it can answer (it has not even started): the private field is the only handle on it.
    await (retriever as unknown as { scanner: { workers: Array<{ terminate(): Promise<number> }> } }).scanner.workers[0]!.terminate();
    expect(shown(await asked)).toEqual(shown(await here.ask('glacier harbour lantern?', { topK: 3 })));
    here.close();
  });
});

describe('the library', () => {
  it(`searches off the event loop from OFF_THREAD_PASSAGES (${OFF_THREAD_PASSAGES}) passages, in-process below`, async () => {
    const small = await seededIndex(200, SEED + 3);
    const library = new Library({ docsDir: '(memory)', indexDir: '(memory)', embedder: fakeEmbedder(DIM), answerThreshold: 0.4, topK: 3, warn: () => undefined, offThreadFrom: 1000 });
    library.load(small);
    expect(library.searchesOffThread).toBe(false);
    library.load(await seededIndex(1000, SEED + 4));
    expect(library.searchesOffThread).toBe(true);
    const answer = await library.ask('glacier harbour?');
    expect(answer.ranked?.length).toBeGreaterThan(0);
    library.load(small);
    expect(library.searchesOffThread).toBe(false);
    expect(OFF_THREAD_PASSAGES).toBeGreaterThan(10_000);
  });
});

describe('postings for a worker', () => {
  it('are copied into shared memory once: parts already there are used as they are (no second term table at load)', () => {
    const parts = new KeywordIndex([passage('glacier harbour lantern.'), passage('river council budget.')]).toParts();
    const shared = sharedKeywordParts(parts);
    expect(shared).not.toBe(parts);
    expect(shared.postingRows.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Array.from(shared.postingRows)).toEqual(Array.from(parts.postingRows));
    expect(sharedKeywordParts(shared)).toBe(shared);
  });
});

describe('a process whose library loaded a large index and was asked nothing', () => {
  const tmp = tempFolder('citebot-idle-library-');

  it('exits by itself: idle search workers do not keep it alive (it hung before)', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'helpers', 'idle-library.ts'), tmp()], { stdio: ['ignore', 'pipe', 'pipe'] });
    // A child that hangs (the bug) must not outlive the test.
    onTestFinished(() => void child.kill());
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(output).toBe('loaded\n');
    expect(code).toBe(0);
  });
});
