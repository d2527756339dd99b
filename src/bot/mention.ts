/**
 * `@citebot question` in a channel, thread or forum post: the same answer as
 * /ask, as a reply in the same place, with the typing indicator while it is
 * looked up. In a thread a follow-up is searched with the thread's earlier
 * questions. Works without the privileged MessageContent intent, because
 * Discord sends the content of messages that mention the bot.
 *
 * Outside allowed channels the bot stays silent (a notice per message would
 * let anyone make it spam a channel); during a member's cooldown it reacts ⏳,
 * so the member knows they were heard.
 */
import type { Message } from 'discord.js';
import type { BotContext } from './command.js';
import { NO_PINGS, answerReply, threadIdOf } from './ui/answer-reply.js';
import { FAILURE_NOTICE } from './dispatch.js';
import { admit, allowedAt } from './gate.js';

/** The reaction a mention gets while its author is cooling down. */
export const COOLDOWN_REACTION = '⏳';

/**
 * What a mention without words gets, with the bot's real name in the example.
 *
 * @example
 * emptyQuestion('docbot'); // 'Ask me a question in words after the mention, e.g. `@docbot who led the talks?` (or use /ask).'
 */
export function emptyQuestion(name: string): string {
  return `Ask me a question in words after the mention, e.g. \`@${name.replace(/`/g, '')} who led the talks?\` (or use /ask).`;
}

/**
 * Answers `message` when it mentions the bot; ignores everything else. Never throws.
 *
 * @example
 * client.on(Events.MessageCreate, (m) => void handleMention(m, ctx));
 */
export async function handleMention(message: Message, ctx: BotContext): Promise<void> {
  const me = message.client.user;
  if (message.author.bot || !me || !message.mentions.users.has(me.id)) return;
  // Servers only, like the commands (and the bot asks for no DM intent).
  if (!message.inGuild()) return;
  try {
    if (!(await allowedAt(ctx, message.client, message.channelId))) return;
    const admission = await admit(ctx, message.author.id, questionOf(message.content, me.id));
    if (!admission.ok) {
      if ('wait' in admission) await react(message, ctx);
      else await message.reply({ content: emptyQuestion(me.username), allowedMentions: NO_PINGS });
      return;
    }
    // Awaited before the search, as an interaction's deferral is: a mention has no 3 s window, but the member should see at once that the bot heard them.
    await message.channel.sendTyping().catch((err: unknown) => ctx.log.warn(`mention ${message.id}: no typing indicator (${String(err)})`));
    const reply = await answerReply(ctx, admission.question, 0, { threadId: threadIdOf(message) });
    await message.reply(reply);
  } catch (err) {
    ctx.log.error(`mention ${message.id} by ${message.author.id} failed`, err);
    await message.reply({ content: FAILURE_NOTICE, allowedMentions: NO_PINGS }).catch((replyErr: unknown) => {
      ctx.log.error(`mention ${message.id}: could not send the error reply`, replyErr);
    });
  }
}

/** ⏳ on a mention during the cooldown; a missing Add Reactions permission is logged, not fatal. */
async function react(message: Message, ctx: BotContext): Promise<void> {
  await message.react(COOLDOWN_REACTION).catch((err: unknown) => ctx.log.warn(`mention ${message.id}: could not react ${COOLDOWN_REACTION} (${String(err)})`));
}

/**
 * The message text without the bot's own mention.
 *
 * @example
 * questionOf('<@42> Who led the talks?', '42'); // 'Who led the talks?'
 */
export function questionOf(content: string, botId: string): string {
  return content.replace(new RegExp(`<@!?${botId}>`, 'g'), ' ').replace(/\s+/g, ' ').trim();
}
