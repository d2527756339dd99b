/**
 * `@citebot question` in a channel: the same answer as /ask, as a reply.
 *
 * Works without the privileged MessageContent intent, because Discord sends
 * the content of messages that mention the bot. Outside allowed channels and
 * during a user's cooldown the bot stays silent: a notice per message would
 * let anyone make the bot spam a channel.
 */
import type { Message } from 'discord.js';
import type { BotContext } from './command.js';
import { NO_PINGS, answerReply, isWordless } from './ui/answer-reply.js';
import { FAILURE_NOTICE } from './dispatch.js';
import { channelAllowed } from './gate.js';

const EMPTY_QUESTION = 'Ask me a question in words after the mention, e.g. `@citebot who led the talks?` (or use /ask).';
const MAX_QUESTION = 1000;

/**
 * Answers `message` when it mentions the bot; ignores everything else. Never throws.
 *
 * @example
 * client.on(Events.MessageCreate, (m) => void handleMention(m, ctx));
 */
export async function handleMention(message: Message, ctx: BotContext): Promise<void> {
  const me = message.client.user;
  if (message.author.bot || !me || !message.mentions.users.has(me.id)) return;
  if (!channelAllowed(ctx, message.channelId)) return;
  if (ctx.cooldowns.take(message.author.id) > 0) return;
  try {
    const question = questionOf(message.content, me.id);
    if (isWordless(question)) {
      await message.reply({ content: EMPTY_QUESTION, allowedMentions: NO_PINGS });
      return;
    }
    await message.reply(await answerReply(ctx, question, 0));
  } catch (err) {
    ctx.log.error(`mention ${message.id} by ${message.author.id} failed`, err);
    await message.reply({ content: FAILURE_NOTICE, allowedMentions: NO_PINGS }).catch((replyErr: unknown) => {
      ctx.log.error(`mention ${message.id}: could not send the error reply`, replyErr);
    });
  }
}

/**
 * The message text without the bot's own mention.
 *
 * @example
 * questionOf('<@42> Who led the talks?', '42'); // 'Who led the talks?'
 */
export function questionOf(content: string, botId: string): string {
  return content.replace(new RegExp(`<@!?${botId}>`, 'g'), ' ').replace(/\s+/g, ' ').trim().slice(0, MAX_QUESTION);
}
