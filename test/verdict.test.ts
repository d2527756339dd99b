import { describe, expect, it } from 'vitest';
import { NO_FEATURES, type AbstainFeatures } from '../src/search/abstain.js';
import { cosineZ, decideVerdict } from '../src/search/verdict.js';
import { stripFillers, withoutAskerModals } from '../src/text/fillers.js';

const shared = (f: Partial<AbstainFeatures>): AbstainFeatures => ({ ...NO_FEATURES, matched: 2, coverage: 0.5, ...f });

describe('decideVerdict', () => {
  it.each([
    ['nothing matched', null, 0.9, null, 'none'],
    ['no shared word', shared({ matched: 0 }), 0.9, null, 'none'],
    ['only common shared words, most of the question unknown here', shared({ rare: 0.2, unseen: 0.7 }), 0.9, null, 'none'],
    ['only common shared words, but the folder knows the question', shared({ rare: 0.2, unseen: 0.1 }), 0.2, null, 'unsure'],
    ['a rare shared word, low confidence', shared({ rare: 0.8, unseen: 0.9 }), 0.2, null, 'unsure'],
    ['a rare shared word, confident', shared({ rare: 0.8 }), 0.7, null, 'answered'],
    ['confidence exactly at the threshold', shared({ rare: 0.8 }), 0.5, null, 'answered'],
    ['no words shared, but a dense match stands out (z 3.5)', null, 0, 3.5, 'unsure'],
    ['unsure, and a dense match stands far out (z 6)', shared({ rare: 0.8 }), 0.2, 6, 'answered'],
    ['none can rise only one step, whatever the dense z', null, 0, 9, 'unsure'],
    ['a dense match that does not stand out (z 2) lifts nothing', shared({ rare: 0.8 }), 0.2, 2, 'unsure'],
    ['the top passage missing from the dense candidates lifts nothing', shared({ rare: 0.8 }), 0.2, Number.NEGATIVE_INFINITY, 'unsure'],
  ] as const)('%s → %s', (_name, features, confidence, denseZ, verdict) => {
    expect(decideVerdict({ features, confidence, denseZ }, 0.5)).toBe(verdict);
  });
});

describe('cosineZ', () => {
  it.each([
    ['one clear match', 0.9, [0.9, 0.3, 0.32, 0.28, 0.31, 0.29], 30],
    ['nothing stands out', 0.33, [0.33, 0.3, 0.32, 0.28, 0.31, 0.29], 1.5],
  ])('%s', (_name, top, all, atLeast) => {
    const z = cosineZ(top, all)!;
    expect(z).toBeGreaterThan(atLeast);
    expect(z).toBeLessThan(atLeast * 2);
  });

  it.each([
    ['too few candidates to have a distribution', [0.9, 0.1, 0.1]],
    ['all candidates equal', [0.5, 0.5, 0.5, 0.5, 0.5, 0.5]],
  ])('is null when %s', (_name, all) => {
    expect(cosineZ(all[0]!, all)).toBeNull();
  });

  it('is the same whatever the model\'s cosine scale (shifted and stretched)', () => {
    const all = [0.62, 0.2, 0.25, 0.18, 0.22, 0.21, 0.19];
    const rescaled = all.map((c) => 0.7 + c * 0.25);
    expect(cosineZ(rescaled[0]!, rescaled)).toBeCloseTo(cosineZ(all[0]!, all)!, 6);
  });
});

describe('stripFillers', () => {
  it.each([
    ['hey what did Vance say in Munich?', 'what did Vance say in Munich?'],
    ['hi, who led the team?', 'who led the team?'],
    ['Hey, can you tell me what Vance said in Munich please?', 'what Vance said in Munich?'],
    ['Could you explain to me how async works?', 'how async works?'],
    ['So what is a tuple? thanks!', 'what is a tuple?'],
    ['please list the files', 'list the files'],
    ['do you know where Rubio met Lavrov', 'where Rubio met Lavrov'],
    ['What is the boiling point of tungsten? Anyone know?', 'What is the boiling point of tungsten?'],
    ['How do I rotate a log file? Any ideas?', 'How do I rotate a log file?'],
    // Not fillers: a question that only looks like one, or words joined to the next.
    ['Will you marry me?', 'Will you marry me?'],
    ['well-known facts about Riyadh', 'well-known facts about Riyadh'],
    ['Hi-fi speakers', 'Hi-fi speakers'],
    ['Thanks', 'Thanks'],
    ['hi', 'hi'],
  ])('%j → %j', (question, stripped) => {
    expect(stripFillers(question)).toBe(stripped);
  });
});

describe('withoutAskerModals (the keyword query)', () => {
  it.each([
    ['How can I change the hostname?', 'How I change the hostname?'],
    ['Should we file taxes in France?', 'we file taxes in France?'],
    ['how could you tell if a bond is overpriced', 'how you tell if a bond is overpriced'],
    // A modal that says something stays.
    ['What can cause a fever?', 'What can cause a fever?'],
    ['Which tax credits can a student claim?', 'Which tax credits can a student claim?'],
    ['I can’t log in', 'I can’t log in'],
  ])('%j → %j', (question, searched) => {
    expect(withoutAskerModals(question)).toBe(searched);
  });
});
