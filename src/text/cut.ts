/**
 * Where text may be cut. A JavaScript index counts UTF-16 units, so a plain
 * `slice` can leave half of a surrogate pair (an emoji, 𝕏), which Discord
 * refuses as invalid text (50035), or split a grapheme (👍🏽, é as e + ◌́,
 * a flag) into something the reader never wrote. Every cut goes to the last
 * grapheme boundary at or before the index asked for.
 */

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
/** Units looked back for a grapheme boundary; longer clusters (zalgo) are cut at a code point. */
const LOOKBACK = 64;

/**
 * The last grapheme boundary at or before `index` (clamped to the text).
 *
 * @example
 * cutPoint('ok 😀', 4);   // 3: index 4 is inside the emoji's surrogate pair
 * cutPoint('ok 👍🏽!', 5); // 3: the skin-tone modifier stays with its thumb
 */
export function cutPoint(text: string, index: number): number {
  if (index <= 0) return 0;
  if (index >= text.length) return text.length;
  const from = Math.max(0, index - LOOKBACK);
  let best = -1;
  for (const { index: at } of graphemes.segment(text.slice(from, Math.min(text.length, index + LOOKBACK)))) {
    if (from + at > index) break;
    best = from + at;
  }
  // No boundary in the window (or only its start, which may itself sit mid-cluster): a code point will do.
  if (best <= from && from > 0) return codePointCut(text, index);
  return best < 0 ? codePointCut(text, index) : best;
}

/**
 * `text` cut to at most `max` units at a grapheme boundary, with `suffix`
 * (counted in `max`) when anything was cut.
 *
 * @example
 * clipText('Tide 🌊🌊🌊', 8, '…'); // 'Tide 🌊…'
 */
export function clipText(text: string, max: number, suffix = ''): string {
  if (text.length <= max) return text;
  return `${text.slice(0, cutPoint(text, Math.max(0, max - suffix.length)))}${suffix}`;
}

/**
 * The first grapheme boundary at or after `index`, for cuts that keep a text's end.
 *
 * @example
 * text.slice(cutPointAfter(text, text.length - 20)); // the last ≤ 20 units, whole graphemes only
 */
export function cutPointAfter(text: string, index: number): number {
  if (index <= 0) return 0;
  if (index >= text.length) return text.length;
  const before = cutPoint(text, index);
  if (before === index) return index;
  const windowEnd = Math.min(text.length, before + LOOKBACK * 2);
  for (const { index: at } of graphemes.segment(text.slice(before, windowEnd))) {
    if (before + at >= index) return before + at;
  }
  if (windowEnd === text.length) return text.length;
  return codePointCut(text, index) === index ? index : index + 1;
}

/**
 * True when `text` holds half of a surrogate pair on its own (Discord refuses such text).
 *
 * @example
 * hasLoneSurrogate('😀'.slice(0, 1)); // true
 */
export function hasLoneSurrogate(text: string): boolean {
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

/** `index`, moved back one unit when it falls between the halves of a surrogate pair. */
function codePointCut(text: string, index: number): number {
  return isLowSurrogate(text.charCodeAt(index)) && isHighSurrogate(text.charCodeAt(index - 1)) ? index - 1 : index;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
