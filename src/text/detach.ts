/**
 * V8 keeps a substring of 13 or more characters as a slice of its parent:
 * a passage's title, or a term cut from its text, holds the whole document
 * text alive for as long as it is kept. Ingest keeps such strings for the
 * whole run (term ids, string tables, file titles) while it drops each
 * document once it is written, so it keeps copies instead: without them,
 * 3 × 20 MB of prose kept every document's text (two bytes a character).
 */

/** Shorter strings are copied by V8 anyway. */
const SLICE_MIN = 13;

/**
 * The same characters in a string of its own (one that references no parent).
 *
 * @example
 * const title = detached(doc.text.slice(0, 80)); // doc.text can now be collected
 */
export function detached(text: string): string {
  // join builds a new flat string; code units are copied as they are (a lone surrogate stays one).
  return text.length < SLICE_MIN ? text : text.split('').join('');
}
