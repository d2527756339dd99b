import { describe, expect, it } from 'vitest';
import { MAX_QUESTION_CHARS, question } from '../src/text/question.js';

describe('question', () => {
  it.each([
    ['spaces collapsed and trimmed', '  Who   led\nthe talks? ', { ok: true, question: 'Who led the talks?' }],
    ['any script counts as words', '¿Quién?', { ok: true, question: '¿Quién?' }],
    ['empty', '   ', { ok: false, reason: 'empty', message: 'The question is empty.' }],
    ['no words', '😀 **?**', { ok: false, reason: 'no-words', message: 'The question has no words to look up.' }],
    ['too long', 'a'.repeat(MAX_QUESTION_CHARS + 1), { ok: false, reason: 'too-long', message: `The question is too long (${MAX_QUESTION_CHARS + 1} characters; at most ${MAX_QUESTION_CHARS}).` }],
  ])('%s', (_name, raw, expected) => {
    expect(question(raw)).toEqual(expected);
  });

  it('cuts at a word when asked to, never splitting an emoji', () => {
    const cut = question(`${'word '.repeat(300)}end`, { cut: true });
    expect(cut).toEqual({ ok: true, question: expect.stringMatching(/^(word )+word$/) });
    const emoji = question(`${'x'.repeat(9)}😀😀`, { cut: true, maxChars: 10 });
    expect(emoji).toEqual({ ok: true, question: 'x'.repeat(9) });
  });
});
