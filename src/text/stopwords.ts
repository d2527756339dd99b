/**
 * English stop words: function words that say nothing about what a passage is
 * about. Questions are mostly made of them ("What is the name of …"), so
 * leaving them in lets "the" and "of" decide rankings.
 *
 * The list is deliberately short: Lucene's default English stop set, plus the
 * question words and do-support ("When did …") every question carries, the
 * asker's own pronouns ("How do I …", which say nothing about the documents),
 * and contractions of those, with or without their apostrophe. Prepositions, other pronouns and auxiliaries stay
 * searchable: "before", "between", "during", "his" and "has" decide which of
 * several similar paragraphs answers. On the eval sets this list beat the
 * longer Snowball list by +0.4 pt hit@1 (SQuAD) and +0.9 pt (COVID-QA); see
 * docs/benchmarks.md.
 */
const LUCENE = `
a an and are as at be but by for if in into is it no not of on or such that the their then there these they
this to was will with
`;
const QUESTION = `what when where which who whom whose why how do does did`;
const ASKER = `i me my mine myself we us our ours you your yours`;
const CONTRACTIONS = `
aren't can't cannot couldn't didn't doesn't don't hadn't hasn't haven't isn't mustn't shan't shouldn't wasn't
weren't won't wouldn't i'd i'll i'm i've you'd you'll you're you've we'd we'll we're we've they'd they'll
they're they've let's
`;
/**
 * The same contractions typed without the apostrophe, as chat does ("whats",
 * "doesnt"), and the halves a lost apostrophe leaves ("doesn t"). Only forms
 * that are no other word, or (cant, wont) rarely one next to the contraction:
 * "lets", "ill", "id", "were" and "haven" stay searchable.
 */
const UNMARKED = `
arent cant couldnt didnt doesnt dont hadnt hasnt havent isnt mustnt shouldnt wasnt werent wont wouldnt
im ive youd youll youre youve theyd theyll theyre theyve whats hows wheres whos thats theres
aren couldn didn doesn hadn hasn isn mustn shouldn wasn weren wouldn
`;

/** Lower-case stop words; apostrophes are ASCII (`’` is normalised before lookup). */
const STOP_WORDS: ReadonlySet<string> = new Set(
  [LUCENE, QUESTION, ASKER, CONTRACTIONS, UNMARKED].join(' ').split(/\s+/).filter(Boolean),
);

/**
 * True when `word` (lower-case) carries no topic of its own.
 *
 * @example
 * isStopWord('the');     // true
 * isStopWord('before');  // false: "before the war" and "after the war" differ
 */
export function isStopWord(word: string): boolean {
  return STOP_WORDS.has(word);
}
