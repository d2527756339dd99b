/** What the buttons under an answer do: the next page, the nearest passages, or a vote (one per member per answer). */
import type { ButtonInteraction } from 'discord.js';
import type { BotContext } from './command.js';
import { answerReply, nearestReply } from './ui/answer-reply.js';
import type { AnswerRecord } from './state/answer-memory.js';
import type { VoteOutcome } from './state/feedback.js';
import { parseCustomId } from './ui/buttons.js';
import { notice } from './ui/notice.js';
import { cooldownNotice } from './gate.js';
import { deferFirst } from './deferral.js';

/**
 * What a click on a forgotten answer gets.
 *
 * @example
 * expiredNotice(30 * 60_000); // 'This answer has expired: its buttons work for 30 minutes …'
 */
function expiredNotice(ttlMs: number): string {
  const minutes = Math.round(ttlMs / 60_000);
  return `This answer has expired: its buttons work for ${minutes} minutes and not across bot restarts. Ask again with /ask.`;
}

/**
 * @example
 * if (interaction.isButton()) await handleButton(interaction, ctx);
 */
export async function handleButton(interaction: ButtonInteraction, ctx: BotContext): Promise<void> {
  const parsed = parseCustomId(interaction.customId);
  const record = parsed ? ctx.memory.recall(parsed.key) : null;
  if (!parsed || !record) return notice(interaction, expiredNotice(ctx.memory.ttlMs));
  // Private, and before the cooldown, the search or the vote file.
  await deferFirst(interaction, ctx, { ephemeral: true });
  if (parsed.action === 'more' || parsed.action === 'near') return nextPage(interaction, ctx, record, parsed.action);
  const outcome = await ctx.feedback.record({
    time: new Date().toISOString(),
    vote: parsed.action,
    userId: interaction.user.id,
    answer: parsed.key,
    question: record.question,
    passages: record.shown,
  });
  await notice(interaction, voteNotice(parsed.action, outcome));
}

/** "More results" and "Nearest passages" (deferred privately already): the next passages, to the clicker only, so other readers keep the answer they saw. */
async function nextPage(interaction: ButtonInteraction, ctx: BotContext, record: AnswerRecord, action: 'more' | 'near'): Promise<void> {
  const wait = await ctx.cooldowns.take(interaction.user.id);
  if (wait > 0) return notice(interaction, cooldownNotice(wait));
  const query = record.query ?? record.question;
  const reply = action === 'near' ? await nearestReply(ctx, record.question, query) : await answerReply(ctx, record.question, record.offset + record.shown.length, { query });
  await interaction.editReply(reply);
}

/**
 * What a voter is told: thanks, the vote already counted, or the vote changed.
 *
 * @example
 * voteNotice('down', 'changed'); // 'Your vote on this answer is now 👎.'
 */
export function voteNotice(vote: 'up' | 'down', outcome: VoteOutcome): string {
  const emoji = vote === 'up' ? '👍' : '👎';
  if (outcome === 'unchanged') return `You already voted ${emoji} on this answer; one vote per member.`;
  if (outcome === 'changed') return `Your vote on this answer is now ${emoji}.`;
  return `Thanks, your ${emoji} was recorded.`;
}