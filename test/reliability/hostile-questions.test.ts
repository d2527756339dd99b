/**
 * Hostile input, question side (test/hostile.test.ts covers the documents):
 * whatever a member types, the real library answers without throwing, and the
 * reply the bot renders from it fits Discord, pings no one and is well-formed
 * UTF-16, also when the quoted documents are hostile themselves.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { htmlToText } from '../../src/documents/html.js';
import { openLibrary, type Library } from '../../src/library/library.js';
import { limitViolations } from '../../src/bot/ui/limits.js';
import { answerPage, searchEmbed } from '../../src/bot/ui/render.js';
import { splitDocument } from '../../src/documents/split.js';
import type { APIEmbed } from 'discord.js';
import { citationProblem } from '../helpers/citations.js';

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const EMOJI_WALL = '👩‍👩‍👧‍👦🇺🇦😀'.repeat(400);

/** Documents as hostile as the questions: mentions, bidi controls, emoji walls, one giant line. */
const DOCS: Record<string, string> = {
  'notice.md': '# Notice @everyone\n\nAttention @here: <@123456789012345678> and <@&223456789012345678> meet in <#323456789012345678> about the harbour.\n',
  'bidi.txt': '\u202eThe harbour\u200b master\u2066 rings\u2069 the bell\u200f at dawn.\n\nשלום harbour مرحبا bell 対話。\n',
  'emoji.txt': `The harbour bell ${EMOJI_WALL} rings at dawn ${EMOJI_WALL} for the boats.\n`,
  'giant.txt': `${'The harbour master rings the bell at dawn and the boats leave. '.repeat(3000)}\n`,
};

const NASTY = ['harbour', 'bell', 'dawn', ' ', '\n', '@everyone', '@here', '<@123>', '<@&456>', '<#789>', '**', '__', '~~', '||', '`', '```', '>', '#', '[x](http://e)', '\\', '\u0000', '\u200b', '\u202e', '\u2066', '\ufeff', '😀', '👩‍👩‍👧‍👦', '\ud83d', '\ude00', 'שלום', 'مرحبا', '対話。'];
/** As Discord (UTF-8 JSON) and a terminal deliver text: a lone surrogate half arrives as U+FFFD. */
const wellFormed = (text: string): string => text.replace(new RegExp(LONE_SURROGATE.source, 'g'), '\ufffd');
const questions = fc
  .oneof(
    fc.string({ unit: 'binary', maxLength: 300 }),
    fc.string({ unit: 'grapheme', maxLength: 300 }),
    fc.array(fc.constantFrom(...NASTY), { maxLength: 200 }).map((parts) => parts.join('')),
    fc.nat({ max: 6000 }).map((n) => 'harbour bell 😀 '.repeat(Math.ceil(n / 16)).slice(0, n)),
  )
  .map(wellFormed);

let dir: string;
let library: Library;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'citebot-hostile-q-'));
  const docsDir = path.join(dir, 'docs');
  await mkdir(docsDir);
  for (const [file, text] of Object.entries(DOCS)) await writeFile(path.join(docsDir, file), text);
  library = await openLibrary({ docsDir, indexDir: path.join(dir, 'index'), embedder: null, answerThreshold: 0.5, topK: 5, warn: () => undefined });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Everything a Discord user could be shown from one embed must be harmless. */
function embedProblems(embed: APIEmbed): string[] {
  const problems = limitViolations({ embeds: [embed] });
  const texts = [embed.title, embed.description, embed.footer?.text].filter((t): t is string => t !== undefined);
  for (const text of texts) {
    if (LONE_SURROGATE.test(text)) problems.push(`lone surrogate in ${JSON.stringify(text.slice(0, 40))}`);
    if (/@(everyone|here)/.test(text)) problems.push(`live @everyone/@here in ${JSON.stringify(text.slice(0, 40))}`);
    if (/(^|[^\\])<[@#]/.test(text)) problems.push(`live mention in ${JSON.stringify(text.slice(0, 40))}`);
  }
  return problems;
}

describe('any question', () => {
  it('is answered without throwing, quoting only indexed passages, and renders harmlessly', async () => {
    const indexed = new Set(library.files().flatMap((file) => Array.from({ length: library.paragraphCount(file) }, (_, i) => library.paragraph(file, i + 1)).flat().map((p) => p.text)));
    await fc.assert(
      fc.asyncProperty(questions, fc.constantFrom(0, 5), async (question, offset) => {
        const answer = await library.ask(question, { offset });
        expect(answer.confidence).toBeGreaterThanOrEqual(0);
        expect(answer.confidence).toBeLessThanOrEqual(1);
        for (const hit of answer.results) expect(indexed.has(hit.passage.text)).toBe(true);
        const options = { sourceBaseUrl: 'https://docs.example.org/tree/main' };
        expect(embedProblems(answerPage(answer, offset, options).embed)).toEqual([]);
        expect(embedProblems(searchEmbed(answer, options))).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('that matches the hostile documents quotes them with every mention defused', async () => {
    for (const question of ['Who meets about the harbour?', 'When does the harbour bell ring?', 'harbour master bell dawn boats']) {
      const answer = await library.ask(question);
      expect(answer.results.length).toBeGreaterThan(0);
      expect(embedProblems(answerPage(answer, 0, { sourceBaseUrl: null }).embed)).toEqual([]);
    }
  });
});

describe('hostile documents, beyond test/hostile.test.ts', () => {
  it('splits a minified HTML page (200 KB on one line) into verbatim, cited passages', () => {
    const html = `<html><head><script>var a="</p>";</script><style>p{}</style></head><body>${'<div><p>The harbour <b>bell</b> rings at dawn &amp; dusk.</p><br><span>Boats leave</span></div>'.repeat(2_000)}</body></html>`;
    const { text, sourceLine } = htmlToText(html);
    const doc = { file: 'min.html', absPath: '/x/min.html', kind: 'html' as const, text, sourceLine, sha256: '', size: html.length, mtimeMs: 0 };
    const passages = splitDocument(doc);
    expect(passages.length).toBeGreaterThan(100);
    expect(passages.map((p) => citationProblem(doc, p)).filter((problem) => problem !== null)).toEqual([]);
    expect(text).not.toContain('var a=');
  });
});
