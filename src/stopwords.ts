/**
 * English stop words: function words that say nothing about what a passage is
 * about. Questions are mostly made of them ("What is the name of …"), so
 * leaving them in lets "the" and "of" decide rankings.
 *
 * The list is the Snowball English list plus question words and common
 * contractions. It deliberately keeps content-bearing words that longer lists
 * drop ("name", "used", "first", "year", "most"): on the eval sets those lists
 * lost hits (see docs/benchmarks.md).
 */
const WORDS = `
a about above after again against all am an and any are aren't as at be because been before being below
between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down during each
few for from further had hadn't has hasn't have haven't having he he'd he'll he's her here here's hers herself
him himself his how how's i i'd i'll i'm i've if in into is isn't it it's its itself let's me more mustn't my
myself no nor not of off on once only or other ought our ours ourselves out over own same shan't she she'd
she'll she's should shouldn't so some such than that that's the their theirs them themselves then there
there's these they they'd they'll they're they've this those through to too under until up very was wasn't we
we'd we'll we're we've were weren't what what's when when's where where's which while who who's whom why
why's with won't would wouldn't you you'd you'll you're you've your yours yourself yourselves
whose whatever whichever whoever also just will shall may might must
`;

/** Lower-case stop words; apostrophes are ASCII (`’` is normalised before lookup). */
export const STOP_WORDS: ReadonlySet<string> = new Set(WORDS.split(/\s+/).filter(Boolean));

/**
 * True when `word` (lower-case) carries no topic of its own.
 *
 * @example
 * isStopWord('the');    // true
 * isStopWord('stash');  // false
 */
export function isStopWord(word: string): boolean {
  return STOP_WORDS.has(word);
}
