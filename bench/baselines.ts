/**
 * The keyword engines citebot is compared with, each over a set's units
 * (reader-rule paragraphs, or citebot's own passages for a document set) and
 * each returning its top 10 units for a question. Defaults everywhere, as a
 * developer would first run them.
 *
 * @example
 * const search = await BASELINES.bm25.build(set.units);
 * (await search('how do i reverse a list'))[0]?.file; // → 'library/stdtypes.html'
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import MiniSearch from 'minisearch';
import { create, insertMultiple, search as oramaSearch } from '@orama/orama';
import { PlainBm25 } from './bm25.js';
import { REPO_ROOT, type Paragraph } from './eval-sets.js';

/** A baseline's answer to one question: its best units, best first. */
export type UnitSearch = (question: string) => Promise<Paragraph[]> | Paragraph[];

export interface Baseline {
  label: string;
  build(units: Paragraph[]): Promise<UnitSearch> | UnitSearch;
}

const DEPTH = 10;

/** By the key `--engines` uses. */
export const BASELINES = {
  minisearch: { label: 'MiniSearch 7.2.0 (defaults)', build: miniSearch },
  bm25: { label: 'plain BM25 (k1 1.2, b 0.75, NLTK stop words)', build: plainBm25 },
  wink: { label: "wink-bm25-text-search 3.1.2 (vectra 0.12.3's keyword engine + prep, built once)", build: winkBm25 },
  orama: { label: 'Orama 3.1.18 (defaults)', build: orama },
} satisfies Record<string, Baseline>;

function byId(units: Paragraph[], ids: Iterable<string | number>): Paragraph[] {
  const out: Paragraph[] = [];
  for (const id of ids) {
    const unit = units[Number(id)];
    if (unit) out.push(unit);
    if (out.length === DEPTH) break;
  }
  return out;
}

function miniSearch(units: Paragraph[]): UnitSearch {
  const engine = new MiniSearch<Paragraph>({ fields: ['text'] });
  engine.addAll(units);
  return (q) => byId(units, engine.search(q).map((r) => r.id as number));
}

function plainBm25(units: Paragraph[]): UnitSearch {
  const engine = new PlainBm25(units.map((u) => u.text));
  return (q) => byId(units, engine.search(q, DEPTH));
}

async function orama(units: Paragraph[]): Promise<UnitSearch> {
  const db = create({ schema: { text: 'string' } as const });
  await insertMultiple(db, units.map((u) => ({ id: String(u.id), text: u.text })));
  return async (q) => byId(units, (await oramaSearch(db, { term: q })).hits.map((h) => h.id));
}

/** The engine vectra 0.12.3 runs for `isBm25` queries (LocalIndex.setupbm25), built once. */
function winkBm25(units: Paragraph[]): UnitSearch {
  const require = createRequire(path.join(REPO_ROOT, 'node_modules', 'vectra', 'lib', 'LocalIndex.js'));
  const bm25 = require('wink-bm25-text-search') as () => WinkBm25;
  const winkNLP = require('wink-nlp') as (model: unknown) => WinkNlp;
  const nlp = winkNLP(require('wink-eng-lite-web-model'));
  const its = nlp.its;
  const engine = bm25();
  engine.defineConfig({ fldWeights: { body: 1 } });
  engine.definePrepTasks([
    (text: string) => {
      const tokens: string[] = [];
      nlp
        .readDoc(text)
        .tokens()
        .filter((t) => t.out(its.type) === 'word' && !t.out(its.stopWordFlag))
        .each((t) => tokens.push(t.out(its.negationFlag) ? `!${t.out(its.stem)}` : String(t.out(its.stem))));
      return tokens;
    },
  ]);
  for (const u of units) engine.addDoc({ body: u.text }, u.id);
  engine.consolidate();
  return (q) => byId(units, engine.search(q).map(([id]) => id));
}

interface WinkBm25 {
  defineConfig(config: unknown): void;
  definePrepTasks(tasks: Array<(text: string) => string[]>): void;
  addDoc(doc: { body: string }, id: number): void;
  consolidate(): void;
  search(q: string): Array<[number, number]>;
}
interface WinkToken {
  out(what: unknown): unknown;
}
interface WinkNlp {
  its: Record<string, unknown>;
  readDoc(text: string): {
    tokens(): { filter(f: (t: WinkToken) => boolean): { each(f: (t: WinkToken) => void): void } };
  };
}
