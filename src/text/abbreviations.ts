/**
 * The short words people type for long ones in technical questions: "merge
 * two dicts" is about dictionaries, "a standalone exe" about an executable.
 * Documentation spells words out, so a question's abbreviation finds nothing
 * without this; the long form finds the passages that use the short one, too
 * ("configuration" finds `config`).
 *
 * Only abbreviations with one common meaning in computing; ambiguous ones
 * ("dev": device or developer) are left out. Like synonyms, an expansion ranks
 * passages but never counts as a matched word of the question.
 */

const PAIRS: ReadonlyArray<[string, string]> = [
  ['dict', 'dictionary'],
  ['dir', 'directory'],
  ['env', 'environment'],
  ['exe', 'executable'],
  ['config', 'configuration'],
  ['repo', 'repository'],
  ['docs', 'documentation'],
  ['arg', 'argument'],
  ['param', 'parameter'],
  ['func', 'function'],
  ['var', 'variable'],
  ['info', 'information'],
  ['app', 'application'],
  ['msg', 'message'],
  ['num', 'number'],
  ['str', 'string'],
  ['int', 'integer'],
  ['async', 'asynchronous'],
  ['sync', 'synchronous'],
  ['auth', 'authentication'],
  ['admin', 'administrator'],
  ['pkg', 'package'],
  ['lib', 'library'],
  ['proc', 'process'],
  ['tmp', 'temporary'],
  ['temp', 'temporary'],
  ['regex', 'regular expression'],
  ['regexp', 'regular expression'],
  ['cmd', 'command'],
  ['spec', 'specification'],
  ['impl', 'implementation'],
  ['attr', 'attribute'],
  ['obj', 'object'],
  ['len', 'length'],
  ['max', 'maximum'],
  ['min', 'minimum'],
];

const EXPANSIONS: ReadonlyMap<string, string[]> = (() => {
  const map = new Map<string, string[]>();
  const add = (from: string, to: string): void => {
    map.set(from, [...(map.get(from) ?? []), to]);
  };
  for (const [short, long] of PAIRS) {
    add(short, long);
    if (!long.includes(' ')) add(long, short);
  }
  return map;
})();

/**
 * The other spellings of `word` (lower case): the long form of an
 * abbreviation, or the abbreviation of a long form; a plural's too ("dicts").
 *
 * @example
 * expansions('dicts'); // → ['dictionary']
 * expansions('executable'); // → ['exe']
 * expansions('table'); // → []
 */
export function expansions(word: string): string[] {
  return EXPANSIONS.get(word) ?? (word.endsWith('s') ? (EXPANSIONS.get(word.slice(0, -1)) ?? []) : []);
}
