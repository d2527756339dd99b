/**
 * The first response to an interaction, sent before any work: Discord shows
 * "The application did not respond" unless it has one within 3 s of the
 * interaction, and everything after it (search, lookups, a shard's cooldown
 * over IPC, the vote file) may take longer under load.
 */
import { MessageFlags, type RepliableInteraction } from 'discord.js';
import type { BotContext } from './command.js';

export interface DeferOptions {
  /** Private "thinking…" (buttons, whose pages go to the clicker only). */
  ephemeral?: boolean;
}

/**
 * Defers the interaction; true once Discord has the deferral, so the caller
 * can start working.
 *
 * @example
 * if (!(await deferFirst(interaction, ctx))) return;
 * await interaction.editReply(await answerReply(ctx, question, 0));
 */
export async function deferFirst(interaction: RepliableInteraction, _ctx: BotContext, options: DeferOptions = {}): Promise<boolean> {
  await interaction.deferReply(options.ephemeral ? { flags: MessageFlags.Ephemeral } : {});
  return true;
}
