/**
 * Follow-up questions in a conversation ("and what about the deadline?",
 * "who went with him?"): on their own they lack the subject, which the earlier
 * turns supply. The search gets the earlier questions too; the answer is
 * still only quotes.
 */

/** Words that open a question continuing the last one. */
const CONTINUES = /^(and|but|also|so|then|what about|how about|and what about|what else|anything else|or)\b/i;
/** Words that point back at something said before. */
const POINTS_BACK = /\b(he|she|it|they|him|her|them|his|hers|its|their|this|that|these|those|there|then)\b/i;
/** Short questions lean on context even without a pointer word. */
const SHORT = 6;
/** How many earlier turns steer the search: more would drown the new question. */
export const FOLLOW_UP_TURNS = 2;

/**
 * True when `question` reads as a continuation of the conversation.
 *
 * @example
 * isFollowUp('And what about the deadline?'); // true
 * isFollowUp('Who led the American team in Riyadh?'); // false
 */
export function isFollowUp(question: string): boolean {
  const words = question.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w));
  return CONTINUES.test(question.trim()) || POINTS_BACK.test(question) || words.length <= SHORT;
}

/**
 * The text to search for: the question itself, or, for a follow-up, the last
 * earlier questions followed by it (the new question last, so it is what the
 * highlights and the reader's eye go to).
 *
 * @example
 * followUpQuery('And who went with him?', ['Who led the American team in Riyadh?']);
 * // 'Who led the American team in Riyadh? And who went with him?'
 */
export function followUpQuery(question: string, earlier: readonly string[]): string {
  if (earlier.length === 0 || !isFollowUp(question)) return question;
  return [...earlier.slice(-FOLLOW_UP_TURNS), question].join(' ');
}
