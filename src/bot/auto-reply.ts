/**
 * AUTO_REPLY_CHANNEL_IDS: each new post in those forum or text channels gets
 * an answer, but only when the verdict is *answered*. Close-but-unsure and
 * not-covered stay silent, so the bot never fills a channel with "I don't
 * know". Such posts don't mention the bot, so reading them needs the
 * privileged Message Content intent (serve.ts asks for it only then).
 */
import type { Message } from 'discord.js';
import type { BotContext } from './command.js';
import { question } from '../text/question.js';
import { answerReply } from './ui/answer-reply.js';

/**
 * Answers a new post in an auto-reply channel when the documents clearly
 * answer it; ignores everything else. Never throws.
 *
 * @example
 * client.on(Events.MessageCreate, (m) => void autoReply(m, ctx));
 */
export async function autoReply(message: Message, ctx: BotContext): Promise<void> {
  const text = postQuestion(message, ctx);
  if (text === null) return;
  try {
    const checked = question(text, { cut: true });
    if (!checked.ok) return;
    // Asked once to decide, then rendered: a verdict short of "answered" says nothing.
    const verdict = (await ctx.library.ask(checked.question, { topK: 1 })).verdict;
    if (verdict !== 'answered') {
      ctx.log.info(`auto-reply: stayed silent on ${message.id} (${verdict})`);
      return;
    }
    await message.reply(await answerReply(ctx, checked.question, 0, { threadId: message.channel.isThread() ? message.channelId : null }));
  } catch (err) {
    // Silence, not an error message: nobody asked the bot anything.
    ctx.log.error(`auto-reply to ${message.id} failed`, err);
  }
}

/**
 * The question a post asks, or null when it isn't a new post in an
 * auto-reply channel: a forum post's title and opening message (a forum
 * post's first message has the thread's id), or a text channel's message.
 * Mentions are left to mention.ts, bots to themselves.
 */
function postQuestion(message: Message, ctx: BotContext): string | null {
  const channels = ctx.config.autoReplyChannelIds;
  const me = message.client.user;
  if (channels.length === 0 || message.author.bot || !message.inGuild() || (me && message.mentions.users.has(me.id))) return null;
  const { channel } = message;
  if (channel.isThread()) {
    const opening = message.id === channel.id;
    return opening && channel.parentId !== null && channels.includes(channel.parentId) ? `${channel.name}. ${message.content}` : null;
  }
  return channels.includes(channel.id) ? message.content : null;
}
