/**
 * The checks before any work: servers only, the channel allowlist (threads and
 * forum posts count as their parent channel), the question itself, and the
 * per-member cooldown. Interactions that fail them get an ephemeral notice
 * (Discord would otherwise show "The application did not respond"); mentions
 * get a ⏳ reaction or silence (see mention.ts).
 */
import type { Client, RepliableInteraction } from 'discord.js';
import { hasWords, question, type QuestionCheck } from '../text/question.js';
import type { BotContext } from './command.js';
import { deferFirst } from './deferral.js';
import { notice } from './ui/notice.js';

/** Where a message or interaction happened: its channel, and the channel a thread hangs off. */
export interface Place {
  channelId: string | null;
  /** The parent of a thread or forum post; null for a plain channel. */
  parentId: string | null;
}

/**
 * True when the bot answers here (an empty allowlist means everywhere).
 * A thread or forum post is allowed when its parent channel is.
 *
 * @example
 * if (!channelAllowed(ctx, await placeOf(client, interaction.channelId))) return;
 */
export function channelAllowed(ctx: BotContext, place: Place): boolean {
  const allowed = ctx.config.allowedChannelIds;
  if (allowed.length === 0) return true;
  return [place.channelId, place.parentId].some((id) => id !== null && allowed.includes(id));
}

/**
 * The channel and, for a thread, its parent. Threads are cached from the
 * gateway (GUILD_CREATE, THREAD_CREATE); one that isn't is fetched once.
 * A channel that can't be looked up counts as a plain channel.
 *
 * @example
 * const place = await placeOf(message.client, message.channelId);
 */
export async function placeOf(client: Client, channelId: string | null): Promise<Place> {
  if (channelId === null) return { channelId, parentId: null };
  const channel = client.channels.cache.get(channelId) ?? (await client.channels.fetch(channelId).catch(() => null));
  const parentId = channel && channel.isThread() ? channel.parentId : null;
  return { channelId, parentId };
}

/**
 * Only needed with an allowlist: without one every place is allowed and the
 * lookup (a REST call for an uncached thread) is skipped.
 *
 * @example
 * if (!(await allowedAt(ctx, client, interaction.channelId))) return notice(interaction, notHereNotice(ctx));
 */
export async function allowedAt(ctx: BotContext, client: Client, channelId: string | null): Promise<boolean> {
  if (ctx.config.allowedChannelIds.length === 0) return true;
  return channelAllowed(ctx, await placeOf(client, channelId));
}

/**
 * What a user is told when they use a command outside the allowed channels.
 *
 * @example
 * notHereNotice(ctx); // 'I only answer in <#123…>, <#456…> (and their threads).'
 */
export function notHereNotice(ctx: BotContext): string {
  const list = ctx.config.allowedChannelIds.slice(0, 10).map((id) => `<#${id}>`).join(', ');
  return `I only answer in ${list} (and their threads).`;
}

/** What a user is told outside a server: the commands are registered for servers only. */
export const GUILD_ONLY_NOTICE = 'I only answer in servers: ask me in a channel of a server I am in.';

/**
 * What a user is told while cooling down.
 *
 * @example
 * cooldownNotice(3); // 'Please wait 3 s before asking again.'
 */
export function cooldownNotice(seconds: number): string {
  return `Please wait ${seconds} s before asking again.`;
}

export type Admission = { ok: true; question: string } | { ok: false; refused: Exclude<QuestionCheck, { ok: true }> } | { ok: false; wait: number };

/**
 * Normalises the question, then takes the member's cooldown: in that order,
 * so a refused input (no words) never costs a member their next question.
 * Long text is cut at a word: it only steers the search.
 *
 * @example
 * const admitted = await admit(ctx, interaction.user.id, raw);
 * if (admitted.ok) await answer(admitted.question);
 */
export async function admit(ctx: BotContext, userId: string, raw: string): Promise<Admission> {
  const checked = question(raw, { cut: true });
  if (!checked.ok) return { ok: false, refused: checked };
  const wait = await ctx.cooldowns.take(userId);
  return wait > 0 ? { ok: false, wait } : { ok: true, question: checked.question };
}

/**
 * `admit` for an interaction, deferred first: a question without words is
 * refused at once (one regex test, so the hint stays a plain private reply),
 * anything else is deferred before it is normalised or the cooldown taken (in
 * a shard that is a round trip to the manager). Sends the refusal or the
 * cooldown notice itself (the "thinking…" then makes way for it) and returns
 * null, or returns the question to answer with the interaction deferred.
 *
 * @example
 * const q = await admitted(interaction, ctx, raw, 'Your question has no words to look up.');
 * if (q === null) return;
 * await interaction.editReply(await answerReply(ctx, q, 0));
 */
export async function admitted(interaction: RepliableInteraction, ctx: BotContext, raw: string, wordless: string): Promise<string | null> {
  if (!hasWords(raw)) {
    await notice(interaction, wordless);
    return null;
  }
  await deferFirst(interaction, ctx);
  const admission = await admit(ctx, interaction.user.id, raw);
  if (admission.ok) return admission.question;
  await notice(interaction, 'wait' in admission ? cooldownNotice(admission.wait) : wordless);
  return null;
}
