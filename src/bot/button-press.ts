/** What the buttons under an answer do: the next page, or a vote written to the feedback file. */
import { MessageFlags, type ButtonInteraction } from 'discord.js';
import type { BotContext } from './command.js';
import { answerReply } from './ui/answer-reply.js';
import { parseCustomId } from './ui/buttons.js';
import { notice } from './ui/notice.js';
import { cooldownNotice } from './gate.js';

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
  if (parsed.action === 'more') {
    const wait = ctx.cooldowns.take(interaction.user.id);
    if (wait > 0) return notice(interaction, cooldownNotice(wait));
    // The next page goes to the clicker only, so other readers keep the answer they saw.
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    await interaction.editReply(await answerReply(ctx, record.question, record.offset + record.shown.length));
    return;
  }
  await ctx.feedback.record({
    time: new Date().toISOString(),
    vote: parsed.action,
    userId: interaction.user.id,
    question: record.question,
    passages: record.shown,
  });
  await notice(interaction, `Thanks, your ${parsed.action === 'up' ? '👍' : '👎'} was recorded.`);
}
