/**
 * Citebot as a benchmark engine: a Retriever over a set's passages (keyword
 * mode, or semantic+keyword with the tiny test model), asked exactly as
 * `citebot ask` asks, at the default answer threshold.
 *
 * The ranking is scored on the retriever's order, whatever the verdict: if
 * `ask` shows fewer results than that (an *unsure* answer lists at most 2, a
 * *none* none), the full order comes from `Retriever.rank`, so hit@3 and MRR
 * measure ranking and the verdict columns measure the decision.
 *
 * @example
 * const tiny = await tinyEmbedder();
 * const ask = await citebotSearch(set.passages, tiny.embedder);
 * const { verdict, ranked } = await ask('how do i reverse a list');
 * await tiny.cleanup();
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadEmbedder } from '../src/embed/embed.js';
import { RECOMMENDED_ANSWER_THRESHOLD } from '../src/search/abstain.js';
import { Retriever } from '../src/search/retrieve.js';
import type { Embedder, Passage, Verdict } from '../src/types.js';
import { REPO_ROOT, memoryIndex } from './eval-sets.js';

/** One question's outcome; `ms` times the `ask` call alone. */
export interface CitebotOutcome {
  ranked: Passage[];
  verdict: Verdict;
  confidence: number;
  ms: number;
}

export type CitebotSearch = (question: string) => Promise<CitebotOutcome>;

const DEPTH = 10;
const TINY_MODEL = 'citebot-test/tiny-bert';

/** Builds the retriever (embedding every passage first when an embedder is given); `threshold` defaults to the config default. */
export async function citebotSearch(
  passages: Passage[],
  embedder: Embedder | null,
  threshold: number = RECOMMENDED_ANSWER_THRESHOLD,
): Promise<CitebotSearch> {
  const vectors = embedder ? await embedder.embed(passages.map((p) => p.text)) : null;
  const index = memoryIndex(passages, vectors, embedder?.dim ?? 0, embedder?.model ?? null);
  const retriever = new Retriever(index, embedder, { answerThreshold: threshold });
  return async (question) => {
    const started = performance.now();
    const answer = await retriever.ask(question, { topK: DEPTH });
    const ms = performance.now() - started;
    let ranked = answer.results.map((hit) => hit.passage);
    if (ranked.length < DEPTH) {
      const full = await retriever.rank(question, DEPTH);
      ranked = full.hits.flatMap(({ row }) => passages[row] ?? []);
    }
    return { ranked, verdict: answer.verdict, confidence: answer.confidence, ms };
  };
}

/** The tiny BERT-shaped test model, written to a temp folder and loaded through the real loader. */
export async function tinyEmbedder(): Promise<{ embedder: Embedder; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'citebot-bench-'));
  const fixture = path.join(REPO_ROOT, 'test', 'fixtures', 'tiny-model.mjs');
  const { writeTinyModel } = (await import(fixture)) as { writeTinyModel: (dir: string, o: { name: string }) => Promise<string> };
  await writeTinyModel(dir, { name: TINY_MODEL });
  const embedder = await loadEmbedder({
    model: TINY_MODEL,
    modelsDir: dir,
    cacheDir: dir,
    allowDownload: false,
    timeoutMs: 1000,
    threads: 1,
    batchSize: 64,
  });
  const cleanup = async (): Promise<void> => {
    await embedder.close?.();
    await rm(dir, { recursive: true, force: true });
  };
  return { embedder, cleanup };
}
