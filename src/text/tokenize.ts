/**
 * Words → search terms, identically for passages and questions: lower-case,
 * accents folded, English stop words dropped, British spellings folded to
 * American ones, Porter-stemmed.
 *
 * Operators (`==`, `$?`, `2>&1`'s `>&`) are terms too.
 *
 * Compound tokens (`git-stash`, `--depth`, `fs.readFile`, `HIV-1`, `2008-2009`)
 * yield the whole token *and* its parts, so `git stash` finds `git-stash` and
 * `git-stash` ranks the exact spelling above passages that merely mention `git`
 * and `stash` apart.
 */
import { stemmer } from 'stemmer';
import { isStopWord } from './stopwords.js';
import { foldSpelling } from './spelling.js';

/**
 * A run of letters/digits, optionally glued by connectors, led by `-`/`--` only
 * where a CLI flag can start (so "U.S.-Russia" is one token, not "-russia").
 */
const RAW_TOKEN = /(?:(?<![^\s(["'=])--?)?[\p{L}\p{N}]+(?:['._\-/+#:]+[\p{L}\p{N}]+)*[+#]*/gu;
const DIGIT_GROUP = /(\p{N}),(?=\p{N}{3}(?!\p{N}))/gu;
const CONNECTOR = /['._\-/+#:]+/;
const CAMEL_BOUNDARY = /(?<=[\p{Ll}\p{N}])(?=\p{Lu})/u;
const HAS_DIGIT = /\p{N}/u;
/**
 * Operators people ask about ("difference between 'is' and '=='", "what does
 * $? mean", "what is 2>&1"), as terms of their own. A listed form counts only
 * as a whole run of operator characters, so "====" rules, "<!--" and the "//"
 * of a URL are nothing. Prose's "??", "->" and "..." are left out.
 */
const OPERATOR =
  /(?<![=!<>:/*+\-%&|^])(?:===|!==|>>>|\/\/=|<<=|>>=|==|!=|<=|>=|=>|::|\/\/|\+=|-=|\*=|\/=|%=|&=|\|=|\^=|<<|>>|&&|\|\||:=|>&|&>)(?![=!<>:/*+\-%&|^])|\$[?#@$!*_-](?![\p{L}\p{N}_])/gu;

/**
 * Irregular past forms Porter can't reach ("said" ≠ "say"): questions ask
 * "What did X say?" about text that says "X said".
 */
const IRREGULAR = new Map(
  (
    'said:say told:tell led:lead began:begin begun:begin won:win made:make gave:give given:give took:take taken:take ' +
    'went:go gone:go came:come saw:see seen:see knew:know known:know thought:think brought:bring bought:buy ' +
    'found:find held:hold kept:keep left:leave met:meet paid:pay sent:send spent:spend stood:stand wrote:write ' +
    'written:write ran:run sat:sit fell:fall fallen:fall felt:feel fought:fight built:build chose:choose chosen:choose ' +
    'drew:draw drawn:draw drove:drive driven:drive ate:eat eaten:eat flew:fly flown:fly forgot:forget grew:grow grown:grow ' +
    'hid:hide hidden:hide lost:lose meant:mean risen:rise sold:sell shot:shoot sang:sing sung:sing ' +
    'spoke:speak spoken:speak stole:steal stolen:steal struck:strike swore:swear taught:teach threw:throw thrown:throw ' +
    'understood:understand woke:wake wore:wear worn:wear broke:break broken:break caught:catch dealt:deal ' +
    'heard:hear lent:lend shook:shake shaken:shake sought:seek slept:sleep withdrew:withdraw'
  )
    .split(' ')
    .map((pair) => pair.split(':') as [string, string]),
);

/** Stemming dominates indexing time and vocabularies are small, so memoise it. */
const stemCache = new Map<string, string>();
/** A bot that runs for months meets words without end (typos, the parts of split words): the cache starts over past this. */
const MAX_CACHED_STEMS = 1 << 20;

/** The analysed form of a text: every term, and the plain words in order (for phrase terms). */
export interface Analysis {
  /** Terms to index or look up: plain words plus whole compound tokens. */
  terms: string[];
  /** Plain (non-compound) terms in text order; adjacent pairs form phrase terms. */
  words: string[];
}

/**
 * Turns text into search terms.
 *
 * @example
 * tokenize('Running `git-stash --keep-index`');
 * // → ['run', 'git', 'stash', 'git-stash', 'keep', 'index', '--keep-index']
 */
export function tokenize(text: string): string[] {
  return analyze(text).terms;
}

/**
 * Like {@link tokenize}, but also returns the word sequence that phrase (bigram)
 * terms are built from.
 *
 * @example
 * analyze('fs.readFile is slow').words; // → ['fs', 'read', 'file', 'slow']
 */
export function analyze(text: string): Analysis {
  const terms: string[] = [];
  const words: string[] = [];
  const folded = fold(text);
  for (const match of folded.matchAll(RAW_TOKEN)) {
    addToken(match[0], terms, words);
  }
  for (const match of folded.matchAll(OPERATOR)) terms.push(match[0]);
  return { terms, words };
}

/**
 * The phrase term for two adjacent words; it cannot collide with a real term
 * because tokens never contain a space.
 *
 * @example
 * bigram('secretari', 'state'); // → 'secretari state'
 */
export function bigram(first: string, second: string): string {
  return `${first} ${second}`;
}

/**
 * Stems one lower-case word, its British spelling folded to the American one
 * first (see spelling.ts); numbers and mixed tokens stay as they are.
 *
 * @example
 * stem('running'); // 'run'; stem('colours') → 'color'; stem('2024') stays '2024'
 */
export function stem(word: string): string {
  let stemmed = stemCache.get(word);
  if (stemmed === undefined) {
    const folded = foldSpelling(word);
    stemmed = HAS_DIGIT.test(word) ? word : stemmer(IRREGULAR.get(folded) ?? folded);
    if (stemCache.size >= MAX_CACHED_STEMS) stemCache.clear();
    stemCache.set(word, stemmed);
  }
  return stemmed;
}

function fold(text: string): string {
  // Accents are folded so "Zelenskyy" and "café" match however they were typed.
  // "10,000" and "10000" are the same number.
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/[’‘`´]/g, "'")
    .replace(DIGIT_GROUP, '$1');
}

function addToken(raw: string, terms: string[], words: string[]): void {
  const token = raw.replace(/'s?$/i, '');
  const lower = token.toLowerCase();
  if (!CONNECTOR.test(token) && !CAMEL_BOUNDARY.test(token)) {
    addWord(lower, terms, words, true);
    return;
  }
  if (isStopWord(lower)) return; // contractions such as "don't"
  for (const part of lower.replace(/^-+/, '').split(CONNECTOR)) addWord(part, terms, words, false);
  const camelParts = token.split(CONNECTOR).filter((part) => CAMEL_BOUNDARY.test(part));
  for (const part of camelParts.flatMap((p) => p.split(CAMEL_BOUNDARY))) {
    addWord(part.toLowerCase(), terms, words, false);
  }
  terms.push(lower);
}

function addWord(word: string, terms: string[], words: string[], keepSingleLetters: boolean): void {
  if (word === '' || isStopWord(word)) return;
  // A lone letter from "U.S." or "e.g." is noise; typed on its own ("vitamin C") it is meant.
  if (word.length === 1 && !keepSingleLetters && !HAS_DIGIT.test(word)) return;
  const term = stem(word);
  terms.push(term);
  words.push(term);
}

/**
 * The question's plain words, lower-cased and unstemmed, stop words out: what
 * a dictionary looks up.
 *
 * @example
 * surfaceWords('Who headed the delegation?'); // → ['headed', 'delegation']
 */
export function surfaceWords(text: string): string[] {
  return (fold(text).toLowerCase().match(/\p{L}+/gu) ?? []).filter((word) => word.length > 2 && !isStopWord(word));
}
