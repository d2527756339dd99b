/**
 * One question → the message that answers it: the answer embed, its buttons,
 * and no pings. Shared by /ask, "Find sources", mentions and "More results".
 */
import type { ActionRowBuilder, ButtonBuilder, APIEmbed, MessageMentionOptions } from 'discord.js';
import type { BotContext } from '../command.js';
import { answerButtons } from './buttons.js';
import { answerPage } from './render.js';

/** Quoting documents must never ping anyone, whatever they contain. */
export const NO_PINGS: MessageMentionOptions = { parse: [], repliedUser: false };

/**
 * True when `question` has no letter or digit in any script (only spaces,
 * emoji, punctuation or markup): there is nothing to search for, and "the
 * documents don't cover this" would be the wrong thing to say.
 *
 * @example
 * isWordless('😀 **?**'); // true
 * isWordless('¿Quién?');  // false
 */
export function isWordless(question: string): boolean {
  return !/[\p{L}\p{N}]/u.test(question);
}

export interface AnswerReply {
  embeds: APIEmbed[];
  components: ActionRowBuilder<ButtonBuilder>[];
  allowedMentions: MessageMentionOptions;
}

/**
 * Asks the library and renders the page starting at `offset`.
 *
 * @example
 * await interaction.editReply(await answerReply(ctx, 'Who led the talks?', 0));
 */
export async function answerReply(ctx: BotContext, question: string, offset: number): Promise<AnswerReply> {
  const answer = await ctx.library.ask(question, { topK: ctx.config.topK, offset });
  if (offset === 0) {
    ctx.counters.questions += 1;
    if (answer.answered) ctx.counters.answered += 1;
  }
  const page = answerPage(answer, offset, { sourceBaseUrl: ctx.config.sourceBaseUrl });
  const shown = answer.results.slice(0, page.shown).map((hit) => hit.passage.id);
  const key = ctx.memory.remember({ question, offset, shown });
  // A full page suggests there may be more; an unanswered question has nothing to page through.
  const more = page.shown > 0 && answer.results.length >= ctx.config.topK;
  return {
    embeds: [page.embed],
    components: [answerButtons(key, more)],
    allowedMentions: NO_PINGS,
  };
}
