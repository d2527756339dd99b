/**
 * The checks before any work: the channel allowlist and the per-user cooldown.
 * Interactions that fail them get an ephemeral notice (Discord would otherwise
 * show "The application did not respond"); mentions get silence (see mention.ts).
 */
import type { BotContext } from './command.js';

/**
 * True when the bot answers in this channel (an empty allowlist means everywhere).
 * DMs and other channel-less places count as outside a non-empty allowlist.
 *
 * @example
 * if (!channelAllowed(ctx, interaction.channelId)) return;
 */
export function channelAllowed(ctx: BotContext, channelId: string | null): boolean {
  const allowed = ctx.config.allowedChannelIds;
  return allowed.length === 0 || (channelId !== null && allowed.includes(channelId));
}

/**
 * What a user is told when they use a command outside the allowed channels.
 *
 * @example
 * notHereNotice(ctx); // 'I only answer in <#123…>, <#456…>.'
 */
export function notHereNotice(ctx: BotContext): string {
  const list = ctx.config.allowedChannelIds.slice(0, 10).map((id) => `<#${id}>`).join(', ');
  return `I only answer in ${list}.`;
}

/**
 * What a user is told while cooling down.
 *
 * @example
 * cooldownNotice(3); // 'Please wait 3 s before asking again.'
 */
export function cooldownNotice(seconds: number): string {
  return `Please wait ${seconds} s before asking again.`;
}
