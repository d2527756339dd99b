import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { markdownText, safeText } from '../../src/bot/ui/escape.js';
import { limitViolations, LIMITS } from '../../src/bot/ui/limits.js';
import { formatQuote } from '../../src/bot/ui/quote.js';
import { answerPage, duration, searchEmbed, sourceEmbed, sourceLine, statsEmbed } from '../../src/bot/ui/render.js';
import type { Hit } from '../../src/types.js';
import { answer, hit, passage, SEED_FILE, seedPassages } from '../helpers/discord-passages.js';

const plain = { sourceBaseUrl: null };
const linked = { sourceBaseUrl: 'https://example.org/docs' };
/** Undoes safeText's backslashes and zero-width spaces, to compare with the document text. */
const unescape = (s: string) => s.replace(/\\(.)/g, '$1').replace(/\u200b/g, '');
const SEED_DOC = `Trump administration, Russia hold talks on ending Ukraine… (${SEED_FILE})`;
const rubio = () => seedPassages().find((p) => p.text.includes('first step of a long and difficult journey'))!;

describe('answer embed', () => {
  it('quotes the passage verbatim, bolds the highlight and names its source', () => {
    const p = rubio();
    const sentence = '“Today is the first step of a long and difficult journey, but an important one,” Rubio told reporters after the meeting at a Saudi royal palace.';
    const { embed, shown } = answerPage(answer('What did Rubio say?', [hit(p, sentence)]), 0, plain);
    expect(shown).toBe(1);
    expect(unescape(embed.description!)).toContain(`> **${sentence}** “The work remains.”`);
    expect(unescape(embed.description!)).toContain(`— ${SEED_DOC} › ¶${p.paragraph} · line ${p.lines[0]}`);
  });

  it('links the source line when SOURCE_BASE_URL is set', () => {
    const p = rubio();
    expect(sourceLine(p, linked)).toBe(
      `— [Trump administration, Russia hold talks on ending Ukraine… (000\\_23d5e4e5b37788fb.txt) › ¶${p.paragraph} · line ${p.lines[0]}](https://example.org/docs/${SEED_FILE}#L${p.lines[0]})`,
    );
  });

  it('says plainly that the documents do not cover an unanswered question, quoting nothing', () => {
    const p = rubio();
    const { embed, shown } = answerPage(answer('What is the boiling point of tungsten?', [hit(p)], false), 0, plain);
    expect(shown).toBe(0);
    expect(embed.description).toMatch(/documents don't cover this/);
    expect(embed.description).not.toContain('>');
    expect(embed.description).not.toContain('Rubio');
  });

  it('labels later pages and says when there is nothing more', () => {
    const [a, b] = seedPassages().slice(3, 5);
    const page2 = answerPage(answer('q', [hit(a!), hit(b!)]), 3, plain);
    expect(page2.embed.description).toMatch(/^Further passages/);
    expect(page2.embed.footer?.text).toContain('passages 4–5');
    expect(answerPage(answer('q', []), 3, plain).embed.description).toBe('No more passages match this question.');
  });
});

describe('quote trimming', () => {
  const long = Array.from({ length: 40 }, (_, i) => `Sentence number ${i} says something about topic ${i}.`).join(' ');

  it('cuts at sentence boundaries around the highlight, marking cuts with …', () => {
    const at = long.indexOf('Sentence number 20');
    const quote = formatQuote(long, [{ start: at, end: long.indexOf('Sentence number 21') - 1 }], 300);
    expect(quote.length).toBeLessThanOrEqual(300);
    expect(quote).toMatch(/^> … Sentence number \d+ says/);
    expect(quote).toContain('**Sentence number 20 says something about topic 20.**');
    expect(quote).toMatch(/topic \d+\. …$/);
  });

  it('cuts a single over-long sentence at a word boundary', () => {
    const words = `${'word '.repeat(500)}end.`;
    const quote = formatQuote(words, [], 100);
    expect(quote.length).toBeLessThanOrEqual(100);
    expect(quote).toMatch(/^> (word )+…$/);
  });
});

describe('escaping', () => {
  it.each([
    ['@everyone', /@everyone/],
    ['@here', /@here/],
    ['<@123456789012345678>', /(^|[^\\])<@\d/],
    ['<@!123456789012345678>', /(^|[^\\])<@!/],
    ['<@&123456789012345678>', /(^|[^\\])<@&/],
    ['<#123456789012345678>', /(^|[^\\])<#/],
    ['**bold** _it_ ~~s~~ `code` ||spoiler||', /(^|[^\\])(\*\*|~~|`|\|\|)/],
    ['# heading', /^#/],
    ['[link](https://evil.example)', /(^|[^\\])\[/],
  ])('%s neither renders nor pings', (input, forbidden) => {
    const out = safeText(input);
    expect(out).not.toMatch(forbidden);
    expect(unescape(out)).toBe(input);
  });

  it('escapes document text inside quotes, titles and source lines', () => {
    const p = passage('a_@everyone.md', 1, 1, 'Ping @everyone and <@42> now, please.');
    const { embed } = answerPage(answer('hi @here <@&7>', [hit(p)]), 0, plain);
    const all = `${embed.title}\n${embed.description}`;
    expect(all).not.toMatch(/@(everyone|here)/);
    expect(all).not.toMatch(/(^|[^\\])<[@#]/);
  });
});

describe('Markdown documents and bold', () => {
  it.each([
    ['bold, italics and inline code are kept', '**Run** _now_ and `npm ci`.', '**Run** _now_ and `npm ci`.'],
    ['a link becomes its text', 'See [the guide](https://evil.example/x) and ![logo](l.png).', 'See the guide and logo.'],
    ['a heading or quote mark at a line start is escaped', '# Title\n> quoted', '\\# Title\n\\> quoted'],
    ['mentions neither render nor ping', 'Hi @everyone <@123> <#456> ||spoiler||', 'Hi @\u200beveryone \\<@123\\> \\<#456\\> \\|\\|spoiler\\|\\|'],
    ['code spans are kept as written', 'Use `<@123> [x](y)` here', 'Use `<@123> [x](y)` here'],
  ])('markdownText: %s', (_name, input, output) => {
    expect(markdownText(input)).toBe(output);
  });

  it('renders a Markdown passage as Markdown, a text passage literally', () => {
    const text = 'Run **npm ci** first. Then `npm test` checks it.';
    const md = answerPage(answer('q', [hit(passage('guide.md', 1, 1, text), 'Then `npm test` checks it.')]), 0, plain).embed.description!;
    const txt = answerPage(answer('q', [hit(passage('guide.txt', 1, 1, text), 'Then `npm test` checks it.')]), 0, plain).embed.description!;
    expect(md).toContain('> Run **npm ci** first. **Then `npm test` checks it.**');
    expect(txt).toContain('> Run \\*\\*npm ci\\*\\* first. **Then \\`npm test\\` checks it.**');
  });

  it('bolds the answering sentence only when the passage has more than one', () => {
    const one = answerPage(answer('q', [hit(passage('a.txt', 1, 1, 'Only one sentence here.'), 'Only one sentence here.')]), 0, plain).embed.description!;
    expect(one).toMatch(/^> Only one sentence here\.$/m);
    expect(one).not.toContain('**');
  });
});

describe('limits', () => {
  const arbitraryText = fc.oneof(
    fc.string({ minLength: 1, maxLength: 300 }),
    fc.array(fc.constantFrom('Word ', 'longer words ', '@everyone ', '<@123> ', '**x** ', '_', '\\', '. ', '! ', '\n', '\n\n', '> ', '# ', '- ', '…'), { minLength: 1, maxLength: 4000 }).map((a) => a.join('')),
    fc.nat({ max: 30_000 }).map((n) => 'x'.repeat(n + 1)),
  );
  const arbitraryHit = fc
    .record({ text: arbitraryText, file: fc.string({ minLength: 1, maxLength: 400 }), para: fc.integer({ min: 1, max: 99_999 }), a: fc.nat(), b: fc.nat() })
    .map(({ text, file, para, a, b }): Hit => {
      const p = passage(file, para, para, text);
      const [s, e] = [Math.min(a, b) % (text.length + 1), Math.max(a, b) % (text.length + 1)];
      return { passage: p, score: 1, highlights: e > s ? [{ start: s, end: e }] : [] };
    });
  const arbitraryAnswer = fc.record({
    question: fc.string({ maxLength: 1000 }),
    hits: fc.array(arbitraryHit, { minLength: 1, maxLength: 25 }),
    answered: fc.boolean(),
    offset: fc.constantFrom(0, 3),
  });

  it('answers, search lists and source views always fit, with every shown passage keeping its source line', () => {
    fc.assert(
      fc.property(arbitraryAnswer, fc.boolean(), ({ question, hits, answered, offset }, withLinks) => {
        const options = withLinks ? linked : plain;
        const a = answer(question, hits, answered);
        const { embed, shown } = answerPage(a, offset, options);
        expect(limitViolations({ embeds: [embed] })).toEqual([]);
        for (const h of hits.slice(0, shown)) expect(embed.description).toContain(sourceLine(h.passage, options));
        // Something is quoted exactly when the answer stands or a later page was asked for; a first page of "none" quotes nothing.
        expect(shown > 0).toBe(answered || offset > 0);
        expect(limitViolations({ embeds: [searchEmbed(a, options)] })).toEqual([]);
        const views = hits.slice(0, 3).map((h, i) => ({ paragraph: i + 1, passages: [h.passage] }));
        expect(limitViolations({ embeds: [sourceEmbed(hits[0]!.passage.file, 2, views, options)] })).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it('keeps a 100 000-character paragraph within the description limit', () => {
    const huge = passage('huge.txt', 1, 1, 'All work and no play. '.repeat(5000));
    const { embed } = answerPage(answer('q', [hit(huge, 'All work')]), 0, plain);
    expect(embed.description!.length).toBeLessThanOrEqual(LIMITS.description);
    expect(embed.description).toContain('— Title (huge.txt) › ¶1 · line 1');
  });
});

describe('stats', () => {
  it('shows documents, passages, mode, build time, uptime and questions', () => {
    const embed = statsEmbed(
      { documents: 2, passages: 40, mode: 'keyword', model: null, builtAt: '2025-01-02T03:04:05.000Z', generation: 'g', keywordReason: 'no model' },
      { startedAt: 0, now: 3_725_000, questions: 7, answered: 5 },
    );
    expect(embed.fields?.map((f) => [f.name, f.value])).toEqual([
      ['Documents', '2'],
      ['Passages', '40'],
      ['Mode', 'keyword'],
      ['Index built', '<t:1735787045:R>'],
      ['Uptime', '1h 2m 5s'],
      ['Questions answered', '5 of 7'],
      ['Why keyword mode', 'no model'],
    ]);
  });

  it.each([
    [0, '0s'],
    [59_999, '59s'],
    [86_400_000 + 1000, '1d 0h 0m 1s'],
  ])('duration(%i) = %s', (ms, text) => expect(duration(ms)).toBe(text));
});
