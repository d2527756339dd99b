/**
 * Benchmark documents of any size: the paragraphs of the shared eval sets
 * (../shared/eval, SQuAD and COVID-QA articles) when present, else generated
 * sentences; repeated with variations until there are enough, written as
 * plain-text files of FILE_PARAGRAPHS paragraphs each.
 *
 * Copy 0 of a paragraph is the original. Copy c ≥ 1 gets one sentence borrowed
 * from another paragraph, chosen by c, so every passage text is distinct (ingest
 * would otherwise embed a repeated text once, and the retriever would merge it
 * as a near-duplicate) while the vocabulary and lengths stay those of real text.
 *
 * @example
 * const corpus = await loadCorpusSource(PROJECT_DIR);
 * await writeCorpus(corpus, 10_000, '/tmp/docs-10k'); // 100 files of 100 paragraphs
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_MAX_CHARS } from '../src/documents/split.js';

/** Paragraphs per generated file: files the size of a long article. */
export const FILE_PARAGRAPHS = 100;
/** Shortest paragraph (in words) worth keeping: the splitter marks shorter ones unsearchable. */
const MIN_WORDS = 8;
/**
 * Longest paragraph kept, and longest borrowed sentence: together they stay
 * under the splitter's limit, so one paragraph is one passage and a size of
 * 10k means 10k passages.
 */
const MAX_PARAGRAPH_CHARS = Math.floor(DEFAULT_MAX_CHARS * 0.7);
const MAX_BORROWED_CHARS = DEFAULT_MAX_CHARS - MAX_PARAGRAPH_CHARS - 1;

export interface CorpusSource {
  paragraphs: string[];
  /** Where the text came from, for the report. */
  description: string;
}

/**
 * The paragraphs to repeat: every paragraph of `<root>/../shared/eval/<set>/docs/*.txt`,
 * or generated text when that folder is absent (a fresh clone elsewhere).
 */
export async function loadCorpusSource(root: string): Promise<CorpusSource> {
  const evalDir = path.resolve(root, '..', 'shared', 'eval');
  const paragraphs: string[] = [];
  const sets: string[] = [];
  for (const set of ['squad-v1.1-dev', 'covidqa-2020-04-23']) {
    const dir = path.join(evalDir, set, 'docs');
    const files = await readdir(dir).catch(() => [] as string[]);
    for (const file of files.filter((f) => f.endsWith('.txt')).sort()) {
      const text = await readFile(path.join(dir, file), 'utf8');
      // The eval sets' own reader rule: blocks between blank lines are paragraphs.
      for (const block of text.split(/\n\s*\n/)) {
        const paragraph = block.trim().replace(/\s*\n\s*/g, ' ');
        const words = paragraph.split(/\s+/).length;
        if (words >= MIN_WORDS && paragraph.length <= MAX_PARAGRAPH_CHARS) paragraphs.push(paragraph);
      }
    }
    if (files.length > 0) sets.push(set);
  }
  if (paragraphs.length > 0) {
    return { paragraphs, description: `${paragraphs.length} paragraphs of ${sets.join(' + ')} (../shared/eval)` };
  }
  return { paragraphs: generatedParagraphs(2000), description: '2000 generated paragraphs (../shared/eval not found)' };
}

/**
 * Writes `count` paragraphs into `dir` as `doc-00000.txt`, … (FILE_PARAGRAPHS
 * paragraphs each, blank-line separated); returns the texts in order.
 */
export async function writeCorpus(source: CorpusSource, count: number, dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const texts = corpusTexts(source, count);
  for (let start = 0, file = 0; start < count; start += FILE_PARAGRAPHS, file++) {
    const name = `doc-${String(file).padStart(5, '0')}.txt`;
    await writeFile(path.join(dir, name), `${texts.slice(start, start + FILE_PARAGRAPHS).join('\n\n')}\n`);
  }
  return texts;
}

/** The first `count` texts: originals first, then varied copies. */
export function corpusTexts(source: CorpusSource, count: number): string[] {
  const { paragraphs } = source;
  const n = paragraphs.length;
  const sentences = paragraphs.map(splitSentences);
  return Array.from({ length: count }, (_, i) => {
    const original = paragraphs[i % n]!;
    const copy = Math.floor(i / n);
    if (copy === 0) return original;
    const donor = sentences[(i * 7 + copy * 131) % n]!;
    const borrowed = donor[copy % donor.length]!.slice(0, MAX_BORROWED_CHARS);
    return `${original} ${borrowed}`;
  });
}

function splitSentences(paragraph: string): string[] {
  const parts = paragraph.split(/(?<=[.!?])\s+(?=[A-Z0-9])/);
  return parts.length > 0 ? parts : [paragraph];
}

/** Deterministic prose-like paragraphs from a small vocabulary, for clones without the eval sets. */
function generatedParagraphs(count: number): string[] {
  const words = (
    'river city council budget school vaccine trial patient protein engine network market price harvest ' +
    'museum painting treaty election court judge bridge tunnel satellite orbit signal archive library ' +
    'festival season climate storm coast island forest species migration theory experiment result sample'
  ).split(' ');
  let seed = 12345;
  const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: count }, () => {
    const sentences = Array.from({ length: 3 + Math.floor(next() * 4) }, () => {
      const length = 8 + Math.floor(next() * 12);
      const chosen = Array.from({ length }, () => words[Math.floor(next() * words.length)]!);
      return `${chosen.join(' ').replace(/^./, (c) => c.toUpperCase())}.`;
    });
    return sentences.join(' ');
  });
}
