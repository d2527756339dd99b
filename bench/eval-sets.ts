/**
 * The shared eval sets (../shared/eval beside the repo), read for the quality
 * benchmark and the abstention calibration. Nothing is copied into the repo.
 *
 * Each set is read twice over the same files: as citebot passages (through
 * loadDocuments + splitDocument, exactly what ingest does) and as the plain
 * paragraphs of the sets' reader rule (what the baseline engines index).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDocuments } from '../src/documents/load.js';
import { splitDocument } from '../src/documents/split.js';
import type { LoadedIndex, Passage } from '../src/types.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const EVAL_DIR = path.resolve(REPO_ROOT, '..', 'shared', 'eval');
export const SET_NAMES = ['squad-v1.1-dev', 'covidqa-2020-04-23'] as const;

export interface EvalQuestion {
  q: string;
  file: string;
  paragraph: number;
}

/** A paragraph per the sets' reader rule: split on blank lines, trim, drop empties. */
export interface Paragraph {
  id: number;
  file: string;
  paragraph: number;
  text: string;
}

export interface EvalSet {
  name: string;
  docsDir: string;
  passages: Passage[];
  paragraphs: Paragraph[];
  questions: EvalQuestion[];
}

/** Reads one set; the documents go through citebot's own loader and splitter. */
export async function readEvalSet(name: string): Promise<EvalSet> {
  const dir = path.join(EVAL_DIR, name);
  const docsDir = path.join(dir, 'docs');
  const warnings: string[] = [];
  const documents = await loadDocuments(docsDir, (line) => warnings.push(line));
  const passages = documents.flatMap((doc) => splitDocument(doc));
  const paragraphs: Paragraph[] = [];
  for (const doc of documents) {
    doc.text
      .split(/\n\s*\n/)
      .map((block) => block.trim())
      .filter((block) => block !== '')
      .forEach((text, i) => paragraphs.push({ id: paragraphs.length, file: doc.file, paragraph: i + 1, text }));
  }
  const questions = (await readFile(path.join(dir, 'questions.jsonl'), 'utf8'))
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as EvalQuestion);
  return { name, docsDir, passages, paragraphs, questions };
}

/**
 * The half of a list the abstention model is fit on (even positions); the other
 * half ({@link heldOut}) is what bench/quality.ts reports abstention on, so the
 * reported figures are not the fit's own.
 *
 * @example
 * calibrationHalf(['a', 'b', 'c']); // → ['a', 'c']
 */
export function calibrationHalf<T>(items: readonly T[]): T[] {
  return items.filter((_, i) => i % 2 === 0);
}

/**
 * The half of a list kept out of the abstention fit (odd positions).
 *
 * @example
 * heldOut(['a', 'b', 'c']); // → ['b']
 */
export function heldOut<T>(items: readonly T[]): T[] {
  return items.filter((_, i) => i % 2 === 1);
}

/** Hand-written questions none of the eval sets answers (bench/offtopic-questions.txt). */
export async function readOffTopicQuestions(): Promise<string[]> {
  return (await readFile(path.join(REPO_ROOT, 'bench', 'offtopic-questions.txt'), 'utf8'))
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** An in-memory index over passages (keyword mode unless vectors are given). */
export function memoryIndex(passages: Passage[], vectors: Float32Array | null = null, dim = 0, model: string | null = null): LoadedIndex {
  return {
    dir: '(memory)',
    generation: 'bench',
    passages,
    vectors,
    manifest: {
      format: 1,
      createdAt: new Date().toISOString(),
      mode: vectors ? 'semantic+keyword' : 'keyword',
      model,
      dim,
      docsDir: '(memory)',
      files: {},
      passages: passages.length,
    },
  };
}

/**
 * 1-based rank of the gold paragraph among distinct paragraphs (parts of a split
 * paragraph count once), 0 when not in the top 10.
 */
export function paragraphRank(ranked: ReadonlyArray<{ file: string; paragraph: number }>, gold: EvalQuestion): number {
  const seen = new Set<string>();
  for (const hit of ranked) {
    const key = `${hit.file}#${hit.paragraph}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (seen.size > 10) return 0;
    if (hit.file === gold.file && hit.paragraph === gold.paragraph) return seen.size;
  }
  return 0;
}
