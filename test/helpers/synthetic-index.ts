/**
 * Synthetic index content for store tests and crash children: passages whose
 * text encodes their generation and row, so a reader can tell exactly which
 * write it is looking at, and vectors derived from the same numbers.
 */
import { createHash } from 'node:crypto';
import type { IndexContent } from '../../src/index/generation-folder.js';
import { KeywordIndex } from '../../src/search/keyword.js';
import type { Passage } from '../../src/types.js';

export interface SyntheticOptions {
  /** Distinguishes one write from the next. */
  tag: number;
  count: number;
  /** 0 = keyword mode. */
  dim: number;
}

/** `count` passages across files of 50, each text naming its tag and row. */
export function syntheticPassages(tag: number, count: number): Passage[] {
  return Array.from({ length: count }, (_, row) => {
    const file = `doc-${Math.floor(row / 50)}.md`;
    const paragraph = (row % 50) + 1;
    const text = `Passage ${row} of write ${tag}: «quoted» text with unicode ✓ and "escapes"\\.`;
    return {
      id: `${file}#${paragraph}`,
      file,
      paragraph,
      part: 0,
      lines: [paragraph * 2 - 1, paragraph * 2],
      title: `Document ${Math.floor(row / 50)}`,
      headings: row % 3 === 0 ? ['Intro', `Section ${row % 7}`] : [],
      text,
      hash: createHash('sha256').update(text).digest('hex').slice(0, 16),
      searchable: row % 10 !== 0,
    };
  });
}

/** Row-major vectors whose every element depends on tag and position: checkable after reload, cheap to make. */
export function syntheticVectors(tag: number, count: number, dim: number): Float32Array {
  const vectors = new Float32Array(count * dim);
  for (let i = 0; i < vectors.length; i++) vectors[i] = ((tag * 7919 + i) % 65521) / 65521 - 0.5;
  return vectors;
}

/** A whole generation's content, its keyword index built (blocking: tests and crash children only). */
export function syntheticContent({ tag, count, dim }: SyntheticOptions): IndexContent {
  const passages = syntheticPassages(tag, count);
  return {
    manifest: {
      mode: dim === 0 ? 'keyword' : 'semantic+keyword',
      model: dim === 0 ? null : 'test/synthetic',
      dim,
      docsDir: `/synthetic/${tag}`,
      files: {},
    },
    passages,
    vectors: dim === 0 ? null : syntheticVectors(tag, count, dim),
    keyword: new KeywordIndex(passages).toParts(),
  };
}
