/** Ephemeral one-line replies: gate refusals, expired buttons, errors. */
import { MessageFlags, type RepliableInteraction } from 'discord.js';
import { NO_PINGS } from './answer-reply.js';
import { LIMITS } from './limits.js';
import { clipText } from '../../text/cut.js';

/**
 * Sends `content` privately to the user, whatever state the interaction is in.
 *
 * @example
 * await notice(interaction, 'Please wait 3 s before asking again.');
 */
export async function notice(interaction: RepliableInteraction, content: string): Promise<void> {
  const text = clipText(content, LIMITS.content, '…');
  const message = { content: text, flags: MessageFlags.Ephemeral, allowedMentions: NO_PINGS } as const;
  if (!interaction.deferred && !interaction.replied) {
    await interaction.reply(message);
  } else if (interaction.deferred && !interaction.replied) {
    // The deferred "thinking…" message may be public: remove it so the notice stays private.
    await interaction.deleteReply().catch(() => undefined);
    await interaction.followUp(message);
  } else {
    await interaction.followUp(message);
  }
}
