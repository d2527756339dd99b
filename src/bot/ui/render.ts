/**
 * Answers, search results, source views, stats and help as Discord embeds.
 * Pure functions: every output fits Discord's limits (src/bot/limits.ts) however
 * long the documents are, and quotes only ever hold escaped document text.
 */
import type { APIEmbed } from 'discord.js';
import type { Answer, Hit, Passage, Span } from '../../types.js';
import type { LibraryStats } from '../../library/library.js';
import { markdownText, safeText } from './escape.js';
import { sentenceSpans } from '../../text/sentences.js';
import { LIMITS } from './limits.js';
import { formatQuote, type Escape } from './quote.js';
import { citation, place } from '../../search/citation.js';
import { clipText, cutPoint, cutPointAfter } from '../../text/cut.js';

const COLOR = { answer: 0x2f6feb, none: 0x8b949e, source: 0x3fb950 } as const;
/** Below this a quote is just an ellipsis: drop a block rather than show that. */
const MIN_QUOTE = 60;
const MAX_FILE_SHOWN = 120;
/** A citation line longer than this is cut: the quotes need the room. */
const MAX_LABEL = 200;
const SNIPPET = 240;
const MARKDOWN_FILE = /\.(md|markdown)(\.gz)?$/i;

export interface RenderOptions {
  /** Links source lines to `${base}/${file}#La-Lb` when set. */
  sourceBaseUrl: string | null;
}

/** A quote with a line above (`head`) or below (`tail`) it that is always kept. */
interface Block {
  head?: string;
  text: string;
  highlights: readonly Span[];
  tail?: string;
  escape?: Escape;
}

/**
 * `— Title (file) › Section › ¶n · line a`, the line under every quote (the
 * shared citation, escaped); linked when a source base URL is configured.
 *
 * @example
 * sourceLine(passage, { sourceBaseUrl: 'https://example.org/docs' });
 * // '— [Guide (guide.md) › Setup › ¶3 · lines 5–7](https://example.org/docs/guide.md#setup)'
 */
export function sourceLine(passage: Passage, options: RenderOptions): string {
  return `— ${sourceLabel(passage, options)}`;
}

/** The source line without its dash, for headings above a quote. */
function sourceLabel(passage: Passage, options: RenderOptions): string {
  const { label, url } = citation(passage, { baseUrl: options.sourceBaseUrl });
  const text = safeText(fitLabel(label, place(passage)));
  return url ? `[${text}](${url})` : text;
}

/** Cuts an over-long label in the middle, so its ¶ and lines survive. */
function fitLabel(label: string, where: string): string {
  if (label.length <= MAX_LABEL) return label;
  return `${clip(label.slice(0, -where.length), MAX_LABEL - where.length - 3)} › ${where}`;
}

function shortFile(file: string): string {
  if (file.length <= MAX_FILE_SHOWN) return file;
  const keep = (MAX_FILE_SHOWN - 1) / 2;
  return `${file.slice(0, cutPoint(file, Math.ceil(keep)))}…${file.slice(cutPointAfter(file, file.length - Math.floor(keep)))}`;
}

/** A rendered page of an answer and how many passages made it into the embed. */
export interface AnswerPage {
  embed: APIEmbed;
  shown: number;
}

/** What a member is told when nothing in the documents is near the question. */
export const NOT_COVERED = "The documents don't cover this. Nothing in them answers the question, so there is nothing to quote.";
/** The next step under NOT_COVERED. */
const NEXT_STEP = 'Try asking with the words the documents would use, or `/search` for related passages.';
export const UNSURE_INTRO = "I couldn't find a passage that clearly answers that. These are the closest:";
/** The `unsure` tier shows at most this many passages: close, not confident. */
const UNSURE_SHOWN = 2;

/**
 * The reply to a question, by verdict: *answered* quotes the passages
 * ("Best match"); *unsure* says so and quotes at most two ("Possible
 * matches"); *none* quotes nothing and offers a next step (the "Nearest
 * passages" button, added by answer-reply.ts, shows what came closest).
 * `offset` > 0 renders a "More results" page.
 *
 * @example
 * const { embed } = answerPage(answer, 0, { sourceBaseUrl: null });
 * await interaction.editReply({ embeds: [embed] });
 */
export function answerPage(answer: Answer, offset: number, options: RenderOptions): AnswerPage {
  const title = clip(safeText(answer.question), LIMITS.title);
  if (offset === 0 && (answer.verdict === 'none' || answer.results.length === 0)) {
    const nearest = (answer.ranked ?? []).length > 0 ? ' **Nearest passages** shows what came closest.' : '';
    const description = `${NOT_COVERED}\n\n${NEXT_STEP}${nearest}`;
    return { embed: { title, color: COLOR.none, description, footer: { text: 'Not covered by the documents' } }, shown: 0 };
  }
  if (answer.results.length === 0) {
    return { embed: { title, color: COLOR.none, description: 'No more passages match this question.', footer: { text: 'More results' } }, shown: 0 };
  }
  const unsure = offset === 0 && answer.verdict === 'unsure';
  const intro = offset > 0 ? 'Further passages, ranked lower:\n\n' : unsure ? `${UNSURE_INTRO}\n\n` : '';
  const hits = unsure ? answer.results.slice(0, UNSURE_SHOWN) : answer.results;
  const { text, shown } = fitBlocks(hits.map((hit) => hitBlock(hit, options)), LIMITS.description - intro.length);
  const tier = offset > 0 ? 'More results' : unsure ? 'Possible matches' : 'Best match';
  const embed = {
    title,
    color: unsure ? COLOR.none : COLOR.answer,
    description: intro + text,
    footer: { text: `${tier} · passages ${offset + 1}–${offset + shown}` },
  };
  return { embed, shown };
}

/**
 * `/search`-style list for the "Nearest passages" button: what came closest
 * to a question the documents don't cover, said to be no answer.
 *
 * @example
 * await interaction.editReply({ embeds: [nearestEmbed(answer, { sourceBaseUrl: null })] });
 */
export function nearestEmbed(answer: Answer, options: RenderOptions): APIEmbed {
  const title = clip(safeText(answer.question), LIMITS.title);
  // A "none" answer shows nothing; what came closest is in its ranking.
  const nearest = answer.ranked ?? answer.results;
  if (nearest.length === 0) return { title, color: COLOR.none, description: 'No passage comes close to this question.' };
  const note = 'None of these answers the question; they are the nearest passages:\n\n';
  const { text, shown } = fitBlocks(nearest.map((hit) => hitBlock(hit, options)), LIMITS.description - note.length);
  return { title, color: COLOR.none, description: note + text, footer: { text: `Nearest passages · ${shown}` } };
}

/** Bold marks the answering sentence only when there is more than one to choose from. */
function hitBlock(hit: Hit, options: RenderOptions): Block {
  const highlights = sentenceSpans(hit.passage.text).length > 1 ? hit.highlights : [];
  return { text: hit.passage.text, highlights, tail: sourceLine(hit.passage, options), escape: escapeFor(hit.passage) };
}

/** Markdown documents keep their emphasis and code; everything else shows literally. */
function escapeFor(passage: Passage): Escape {
  return MARKDOWN_FILE.test(passage.file) ? markdownText : safeText;
}

/**
 * `/search`: a compact numbered list, a short snippet and the source of each passage.
 *
 * @example
 * await interaction.editReply({ embeds: [searchEmbed(answer, { sourceBaseUrl: null })] });
 */
export function searchEmbed(answer: Answer, options: RenderOptions): APIEmbed {
  const title = clip(`Search: ${safeText(answer.question)}`, LIMITS.title);
  if (answer.results.length === 0) {
    return { title, color: COLOR.none, description: 'No passage matches that search.' };
  }
  const blocks = answer.results.map((hit, i) => ({ ...hitBlock(hit, options), head: `**${i + 1}.**` }));
  const note = answer.verdict === 'answered' ? '' : 'None of these is a confident match.\n\n';
  const { text } = fitBlocks(blocks, LIMITS.description - note.length, SNIPPET);
  const tier = answer.verdict === 'answered' ? 'Best matches first' : answer.verdict === 'unsure' ? 'Possible matches' : 'Nearest passages';
  return { title, color: answer.verdict === 'answered' ? COLOR.answer : COLOR.none, description: note + text, footer: { text: tier } };
}

/** One paragraph of a file for `/source`: its passages (several when it was split). */
export interface ParagraphView {
  paragraph: number;
  passages: Passage[];
}

/**
 * `/source`: the requested paragraph between its neighbours, each with its line range.
 *
 * @example
 * const views = [2, 3, 4].map((n) => ({ paragraph: n, passages: library.paragraph('guide.md', n) }));
 * sourceEmbed('guide.md', 3, views, { sourceBaseUrl: null });
 */
export function sourceEmbed(file: string, paragraph: number, views: ParagraphView[], options: RenderOptions): APIEmbed {
  const blocks = views.flatMap((view) =>
    view.passages.map((passage) => {
      const marker = view.paragraph === paragraph ? '▶ ' : '';
      return { head: `${marker}${sourceLabel(passage, options)}`, text: passage.text, highlights: [], escape: escapeFor(passage) };
    }),
  );
  const { text } = fitBlocks(blocks, LIMITS.description);
  return { title: clip(`${safeText(shortFile(file))} ¶${paragraph}`, LIMITS.title), color: COLOR.source, description: text };
}

/** Figures for `/stats` beyond what the library knows about itself. */
export interface Runtime {
  startedAt: number;
  now: number;
  /** Questions replied to, and how many of them the documents answered. */
  questions: number;
  answered: number;
}

/**
 * `/stats`: documents, passages, mode and model, index age, uptime, questions answered.
 *
 * @example
 * statsEmbed(library.stats(), { startedAt, now: Date.now(), questions: 12, answered: 9 });
 */
export function statsEmbed(stats: LibraryStats, runtime: Runtime): APIEmbed {
  const built = Date.parse(stats.builtAt);
  const fields = [
    { name: 'Documents', value: String(stats.documents), inline: true },
    { name: 'Passages', value: String(stats.passages), inline: true },
    { name: 'Mode', value: clip(safeText(withoutPaths(stats.model ? `${stats.mode} (${stats.model})` : stats.mode)), LIMITS.fieldValue), inline: true },
    { name: 'Index built', value: Number.isFinite(built) ? `<t:${Math.floor(built / 1000)}:R>` : 'unknown', inline: true },
    { name: 'Uptime', value: duration(runtime.now - runtime.startedAt), inline: true },
    { name: 'Questions answered', value: `${runtime.answered} of ${runtime.questions}`, inline: true },
  ];
  if (stats.keywordReason) fields.push({ name: 'Why keyword mode', value: clip(safeText(withoutPaths(stats.keywordReason)), LIMITS.fieldValue), inline: false });
  return { title: 'citebot', color: COLOR.source, fields };
}

/**
 * Host paths (`/home/…/models`, `C:\\…\\models`) reduced to their last folder
 * or file: members need not learn how the server is laid out.
 *
 * @example
 * withoutPaths('not found in /srv/bot/models or /tmp/cache'); // 'not found in …/models or …/cache'
 */
export function withoutPaths(text: string): string {
  return text.replace(/(?:[A-Za-z]:\\|~?\/)(?:[^\s/\\,;:()'"]+[/\\])*([^\s/\\,;:()'"]+)[/\\]?/g, (whole, last: string, at: number) => {
    // A "/" inside a word (`and/or`, `Xenova/all-MiniLM`) is no path.
    const before = at > 0 ? text[at - 1]! : ' ';
    return /[\w.-]/.test(before) ? whole : `…/${last}`;
  });
}

/**
 * `2d 3h 4m 5s`, leaving out leading zero units.
 *
 * @example
 * duration(3_725_000); // '1h 2m 5s'
 */
export function duration(ms: number): string {
  let s = Math.max(0, Math.floor(ms / 1000));
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86_400], ['h', 3600], ['m', 60]] as const) {
    const n = Math.floor(s / size);
    s -= n * size;
    if (n > 0 || parts.length > 0) parts.push(`${n}${unit}`);
  }
  parts.push(`${s}s`);
  return parts.join(' ');
}

/**
 * `/help`: what the bot does, command by command.
 *
 * @example
 * await interaction.reply({ embeds: [helpEmbed(client.user.username)], flags: MessageFlags.Ephemeral });
 */
export function helpEmbed(name = 'citebot'): APIEmbed {
  // Inside inline code nothing renders (so no escaping) except a backtick, which would end it.
  const me = name.replace(/`/g, '');
  return {
    title: clip(safeText(name), LIMITS.title),
    color: COLOR.source,
    description: [
      'I answer questions by quoting the documents I was given, word for word, with where each quote comes from. I never write an answer myself; when the documents say nothing about it, I tell you so.',
      '',
      '**/ask** `question` — the passages that answer it (bold: the best sentence). **More results** shows the next ones; 👍 / 👎 tell the maintainers whether it helped.',
      '**/search** `query` — a short list of matching passages.',
      '**/source** `file` `paragraph` — a paragraph with the ones around it.',
      '**Find sources** (message menu → Apps) — passages about a message.',
      '**/stats** — what is indexed. **/reindex** — re-read the documents (Manage Server only).',
      `You can also mention me: \`@${me} your question\`. In a thread, a follow-up like \`@${me} and what about the deadline?\` is searched with the thread's earlier questions.`,
    ].join('\n'),
  };
}

/**
 * Joins blocks into at most `max` characters. Head and tail lines are kept
 * whole; the quotes share what is left, the short ones taking only what they
 * need. Blocks that would leave no room for a readable quote are dropped.
 */
function fitBlocks(blocks: Block[], max: number, quoteCap = Infinity): { text: string; shown: number } {
  const sep = '\n\n';
  const fixedOf = (b: Block) => (b.head ? b.head.length + 1 : 0) + (b.tail ? b.tail.length + 1 : 0) + sep.length;
  let kept = blocks;
  const room = () => max - kept.reduce((n, b) => n + fixedOf(b), 0) + sep.length;
  while (kept.length > 1 && room() < MIN_QUOTE * kept.length) kept = kept.slice(0, -1);
  let left = room();
  const budgets = new Array<number>(kept.length).fill(0);
  const wants = kept.map((b) => Math.min(quoteCap, formatQuote(b.text, b.highlights, Infinity, b.escape).length));
  const order = wants.map((_, i) => i).sort((x, y) => wants[x]! - wants[y]!);
  order.forEach((i, rank) => {
    const share = Math.floor(left / (order.length - rank));
    budgets[i] = Math.max(0, Math.min(wants[i]!, share));
    left -= budgets[i]!;
  });
  const parts = kept.map((b, i) => [b.head, formatQuote(b.text, b.highlights, budgets[i]!, b.escape), b.tail].filter((x) => x !== undefined).join('\n'));
  return { text: clip(parts.join(sep), max), shown: kept.length };
}

/**
 * Last-resort cut; the layout above keeps this from ever removing a source line
 * in practice. Never splits a surrogate pair: Discord refuses a lone half.
 */
function clip(text: string, max: number): string {
  return clipText(text, max, '…');
}
