/**
 * Chat fillers around a question: "hey", "hi,", "can you tell me", "please",
 * "thanks". They carry no meaning, but they are words: a keyword ranking
 * counts them and an embedding drifts towards chatty passages. Only fillers
 * at the edges are removed, and never the whole question.
 */

/** Openers, each matched at the start (case-insensitive), repeatedly: "hey, so can you tell me …". */
const END = String.raw`(?:[\s,.!:;]+|$)`;
const LEADING = [
  String.raw`(?:hey|hi|hello|hiya|yo|howdy|greetings|good (?:morning|afternoon|evening))(?: (?:there|all|everyone|guys|folks|citebot|bot))?`,
  String.raw`(?:ok(?:ay)?|so|um+|uh+|well|quick question)`,
  String.raw`(?:please|pls|plz)`,
  String.raw`(?:(?:can|could|would) you|do you know|does anyone know|anyone know|i (?:want|need|would like|wanna) to know|i(?:'m| am) wondering|i was wondering)(?: (?:please|pls|plz))?(?: (?:tell|show|explain(?: to)?|remind) (?:me|us))?(?: about)?`,
  String.raw`(?:tell|show|explain(?: to)?|remind) (?:me|us)(?: about)?`,
].map((filler) => new RegExp(`^${filler}${END}`, 'i'));

/** Closers at the end: "…, please?", "… thanks!", "… anyone know?". The question mark is kept. */
const TRAILING =
  /[\s,;:-]*\b(?:please|pls|plz|thanks(?: a lot| in advance)?|thank you|thx|ty|cheers|(?:does )?any(?:one|body) know|any (?:ideas|help|thoughts)|help)\b[\s!.?]*?(\??)[\s!.]*$/i;

/**
 * The question without greetings, politeness and "can you tell me" at its
 * edges; the question itself when that would leave nothing.
 *
 * @example
 * stripFillers('hey, can you tell me what Vance said in Munich please?'); // 'what Vance said in Munich?'
 * stripFillers('Thanks'); // 'Thanks' (nothing else to ask)
 */
export function stripFillers(question: string): string {
  let text = question.trim();
  for (let changed = true; changed; ) {
    changed = false;
    for (const pattern of LEADING) {
      const next = text.replace(pattern, '');
      if (next !== text && /[\p{L}\p{N}]/u.test(next)) {
        text = next;
        changed = true;
      }
    }
  }
  const closer = TRAILING.exec(text);
  if (closer === null) return text;
  let trimmed = text.slice(0, closer.index).trimEnd();
  if (closer[1] && !/[?!.]$/.test(trimmed)) trimmed += '?';
  return /[\p{L}\p{N}]/u.test(trimmed) ? trimmed : text;
}

/** A modal right before the asker ("how can I", "should we", "could you"): do-support in other words. */
const ASKER_MODAL = /\b(?:can|could|should|would|may|might|must|shall)\s+(i|we|you)\b/gi;

/**
 * The question for keyword search, without the modal that only asks: "How
 * can I change the hostname" is "How do I change the hostname", and "can"
 * must not find every passage that says "you can change …". A modal that says
 * something ("What can cause a fever", "you can't") is kept. The semantic
 * path gets the question as asked.
 *
 * @example
 * withoutAskerModals('How can I change the hostname?'); // 'How I change the hostname?'
 * withoutAskerModals('What can cause a fever?');        // unchanged
 */
export function withoutAskerModals(question: string): string {
  return question.replace(ASKER_MODAL, '$1');
}
