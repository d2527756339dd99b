/**
 * The first response to an interaction, sent before any work: Discord shows
 * "The application did not respond" unless it has one within 3 s of the
 * interaction, and everything after it (search, lookups, a shard's cooldown
 * over IPC, the vote file) may take longer under load. A first response that
 * could only go out after the window is dropped instead (see
 * state/response-windows.ts), and the dispatcher logs it.
 */
import { MessageFlags, RateLimitError, type RepliableInteraction } from 'discord.js';
import type { BotContext } from './command.js';
import { LateResponse, RESPONSE_WINDOW_MS } from './state/response-windows.js';

export interface DeferOptions {
  /** Private "thinking…" (buttons, whose pages go to the clicker only). */
  ephemeral?: boolean;
}

/**
 * Defers the interaction; resolves once Discord has the deferral, so the
 * caller can start working. Throws when the deferral would be too late for
 * Discord (`isDroppedResponse`); the dispatcher logs that and stops.
 *
 * @example
 * await deferFirst(interaction, ctx);
 * await interaction.editReply(await answerReply(ctx, question, 0));
 */
export async function deferFirst(interaction: RepliableInteraction, ctx: BotContext, options: DeferOptions = {}): Promise<void> {
  if (ctx.windows.left(interaction.id) <= 0) throw new LateResponse(0);
  await interaction.deferReply(options.ephemeral ? { flags: MessageFlags.Ephemeral } : {});
}

/**
 * True for a first response given up on because it would have reached
 * Discord after its window: a rate limit on the interaction callback that
 * `ResponseWindows.rejects` refused to wait out, or a `LateResponse`.
 *
 * @example
 * if (isDroppedResponse(err)) return log.warn(`${what} ${droppedReason(err)}`);
 */
export function isDroppedResponse(err: unknown): err is RateLimitError | LateResponse {
  return err instanceof LateResponse || (err instanceof RateLimitError && err.route.startsWith('/interactions/'));
}

/**
 * The log line's reason for a dropped first response.
 *
 * @example
 * droppedReason(err); // 'dropped: Discord asked to wait 5.0 s before its first response, past the 3 s it allows'
 */
export function droppedReason(err: RateLimitError | LateResponse): string {
  const window = `${RESPONSE_WINDOW_MS / 1000} s`;
  if (err instanceof LateResponse) return `dropped: it waited too long for its first response, past the ${window} Discord allows`;
  // Tenths rounded down: discord.js adds a 50 ms offset to Retry-After.
  const seconds = (Math.floor(err.retryAfter / 100) / 10).toFixed(1);
  return `dropped: Discord asked to wait ${seconds} s before its first response, past the ${window} it allows`;
}
