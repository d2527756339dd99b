/**
 * One question → the message that answers it: the answer embed, its buttons,
 * and no pings. Shared by /ask, "Find sources", mentions and "More results".
 */
import type { ActionRowBuilder, ButtonBuilder, APIEmbed, Channel, MessageMentionOptions } from 'discord.js';
import { followUpQuery } from '../../text/follow-up.js';
import type { Answer, Verdict } from '../../types.js';
import type { BotContext } from '../command.js';
import { answerButtons } from './buttons.js';
import { answerPage, nearestEmbed } from './render.js';

/** Quoting documents must never ping anyone, whatever they contain. */
export const NO_PINGS: MessageMentionOptions = { parse: [], repliedUser: false };

export interface AnswerReply {
  embeds: APIEmbed[];
  components: ActionRowBuilder<ButtonBuilder>[];
  allowedMentions: MessageMentionOptions;
}

export interface AnswerContext {
  /** The thread the question was asked in: its earlier questions steer a follow-up. */
  threadId?: string | null;
  /** The search text when it differs from the question shown (a follow-up's, on later pages). */
  query?: string;
}

/**
 * Asks the library and renders the page starting at `offset`.
 *
 * @example
 * await interaction.editReply(await answerReply(ctx, 'Who led the talks?', 0));
 */
export async function answerReply(ctx: BotContext, question: string, offset: number, context: AnswerContext = {}): Promise<AnswerReply> {
  const { answer, query } = await search(ctx, question, offset, context);
  if (offset === 0) {
    ctx.counters.questions += 1;
    if (answer.verdict === 'answered') ctx.counters.answered += 1;
  }
  const page = answerPage(answer, offset, { sourceBaseUrl: ctx.config.sourceBaseUrl });
  const shown = answer.results.slice(0, page.shown).map((hit) => hit.passage.id);
  const key = ctx.memory.remember({ question, ...(query === question ? {} : { query }), offset, shown });
  // A full page suggests there may be more; "none" offers the nearest passages instead.
  const more = page.shown > 0 && answer.verdict === 'answered' && answer.results.length >= ctx.library.topK;
  return {
    embeds: [page.embed],
    components: [answerButtons(key, { more, nearest: page.shown === 0 && offset === 0 && (answer.ranked ?? []).length > 0 })],
    allowedMentions: NO_PINGS,
  };
}

const RANK: Record<Verdict, number> = { answered: 2, unsure: 1, none: 0 };

/**
 * The library's answer, titled with the question asked. In a thread, a
 * follow-up that its own words don't answer is searched again with the
 * thread's earlier questions, and the better verdict wins (a follow-up that
 * stands on its own keeps its own answer). The question joins the thread's turns.
 */
async function search(ctx: BotContext, question: string, offset: number, context: AnswerContext): Promise<{ answer: Answer; query: string }> {
  const ask = async (query: string) => ({ answer: { ...(await ctx.library.ask(query, { offset })), question }, query });
  const alone = await ask(context.query ?? question);
  const threadId = context.threadId ?? null;
  if (threadId === null || context.query !== undefined) return alone;
  const query = followUpQuery(question, ctx.turns.earlier(threadId));
  ctx.turns.record(threadId, question);
  if (query === question || alone.answer.verdict === 'answered') return alone;
  const withTurns = await ask(query);
  return RANK[withTurns.answer.verdict] > RANK[alone.answer.verdict] ? withTurns : alone;
}

/**
 * The thread an interaction or message is in, or null in a plain channel.
 *
 * @example
 * await answerReply(ctx, question, 0, { threadId: threadIdOf(message) });
 */
export function threadIdOf(source: { channel: Channel | null }): string | null {
  return source.channel?.isThread() ? source.channel.id : null;
}

/**
 * The "Nearest passages" reply: what came closest to a question the documents
 * don't cover, plainly marked as no answer. Private to the clicker.
 *
 * @example
 * await interaction.editReply(await nearestReply(ctx, record.question, record.query ?? record.question));
 */
export async function nearestReply(ctx: BotContext, question: string, query: string): Promise<AnswerReply> {
  const answer = { ...(await ctx.library.ask(query)), question };
  return { embeds: [nearestEmbed(answer, { sourceBaseUrl: ctx.config.sourceBaseUrl })], components: [], allowedMentions: NO_PINGS };
}
