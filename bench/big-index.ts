/**
 * A large index built in memory, without files or a model: the paragraphs of
 * bench/corpus.ts as passages (100 per "file"), random unit vectors from a
 * seeded generator, and the keyword index built from the passages. For
 * `npm run load -- --size 500k` and the off-thread search measurements, where
 * what matters is the size of what is searched, not how it was ingested.
 *
 * @example
 * const index = await bigIndex({ size: 500_000, dim: 384, seed: 7 }, console.error);
 * library.load(index);
 */
import { createHash } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { PROJECT_DIR } from '../src/config.js';
import type { IndexContent } from '../src/index/generation-folder.js';
import { hasIndex, openIndex, writeIndex, type StoredIndex } from '../src/index/store.js';
import { allocateQuantized } from '../src/search/dot-kernel.js';
import { KeywordIndex } from '../src/search/keyword.js';
import type { Embedder, FileRecord, Passage } from '../src/types.js';
import { seededRandom } from '../test/helpers/random.mjs';
import { corpusTexts, FILE_PARAGRAPHS, loadCorpusSource } from './corpus.js';

export interface BigIndexOptions {
  size: number;
  /** 0 = keyword mode. */
  dim: number;
  seed: number;
}

/** The model name the index claims; `randomEmbedder` loads "the same model". */
export const BIG_INDEX_MODEL = 'bench/random-unit';

/** Where built indexes are kept between runs (outside git; `npm ci` starts afresh). */
const CACHE = path.join(PROJECT_DIR, 'node_modules', '.cache', 'citebot-bench', 'big-index-v4');

/**
 * The index, read from the cache folder (built and written there on the first
 * run: several minutes at 500k on 2 cores, most of it the keyword index), its
 * vectors placed where the dense kernel (and a search worker) scans them.
 */
export async function bigIndex(options: BigIndexOptions, log: (line: string) => void = () => undefined): Promise<StoredIndex> {
  const dir = path.join(CACHE, `${options.size}-${options.dim}-${options.seed}`);
  if (!(await hasIndex(dir))) {
    log(`building a ${options.size}-passage index into ${path.relative(PROJECT_DIR, dir)} (once)…`);
    const scratch = `${dir}.tmp-${process.pid}`;
    await rm(scratch, { recursive: true, force: true });
    await writeIndex(scratch, await bigContent(options));
    await rm(dir, { recursive: true, force: true });
    await rename(scratch, dir);
  }
  // As the library opens an index for search (int8 rows in kernel memory, exact rows read near the cut).
  return openIndex(dir, log, { quantized: allocateQuantized });
}

async function bigContent({ size, dim, seed }: BigIndexOptions): Promise<IndexContent> {
  const source = await loadCorpusSource(PROJECT_DIR);
  const texts = corpusTexts(source, size);
  const passages: Passage[] = texts.map((text, row) => {
    const fileNo = Math.floor(row / FILE_PARAGRAPHS);
    const file = `doc-${String(fileNo).padStart(5, '0')}.txt`;
    const paragraph = (row % FILE_PARAGRAPHS) + 1;
    return {
      id: `${file}#${paragraph}`,
      file,
      paragraph,
      part: 0,
      lines: [paragraph * 2 - 1, paragraph * 2 - 1],
      title: texts[fileNo * FILE_PARAGRAPHS]!.slice(0, 80),
      headings: [],
      text,
      hash: createHash('sha256').update(text).digest('hex').slice(0, 16),
      searchable: true,
    };
  });
  const vectors = dim > 0 ? new Float32Array(size * dim) : null;
  if (vectors) fillUnitVectors(vectors, dim, seededRandom(seed));
  const files: Record<string, FileRecord> = {};
  for (const p of passages) {
    const record = (files[p.file] ??= { sha256: '0'.repeat(64), size: 0, mtimeMs: 0, passages: 0 });
    record.passages += 1;
  }
  return {
    manifest: { mode: dim > 0 ? 'semantic+keyword' : 'keyword', model: dim > 0 ? BIG_INDEX_MODEL : null, dim, docsDir: '/synthetic/docs', files },
    passages,
    vectors,
    keyword: await KeywordIndex.buildParts(passages),
  };
}

/**
 * An in-process stand-in for the model: each question gets a unit vector
 * seeded by its text (so the same question scans the same way every run).
 */
export function randomEmbedder(dim: number): Embedder {
  return {
    model: BIG_INDEX_MODEL,
    dim,
    embed: async (texts) => {
      const out = new Float32Array(texts.length * dim);
      texts.forEach((text, i) => fillUnitVectors(out.subarray(i * dim, (i + 1) * dim), dim, seededRandom(hashOf(text))));
      return out;
    },
  };
}

function fillUnitVectors(out: Float32Array, dim: number, next: () => number): void {
  for (let i = 0; i < out.length; i++) out[i] = next() - 0.5;
  for (let row = 0; row < out.length / dim; row++) {
    const v = out.subarray(row * dim, (row + 1) * dim);
    let norm = 0;
    for (const x of v) norm += x * x;
    const scale = 1 / (Math.sqrt(norm) || 1);
    for (let j = 0; j < dim; j++) v[j]! *= scale;
  }
}

function hashOf(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32LE(0);
}
