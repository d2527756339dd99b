/**
 * The one place interactions enter: routes them to commands and buttons after
 * the gate checks, and turns any failure into an ephemeral error reply so a
 * broken handler never leaves the user with "The application did not respond".
 */
import type { AutocompleteInteraction, Interaction } from 'discord.js';
import { isCitebotError } from '../errors.js';
import type { BotContext, Command } from './command.js';
import { handleButton } from './button-press.js';
import { droppedReason, isDroppedResponse } from './deferral.js';
import { allowedAt, GUILD_ONLY_NOTICE, notHereNotice } from './gate.js';
import { notice } from './ui/notice.js';

export const FAILURE_NOTICE = 'Something went wrong while handling that. It has been logged; please try again later.';

/**
 * Handles one interaction; never throws.
 *
 * @example
 * client.on(Events.InteractionCreate, (i) => void dispatch(i, commands, ctx));
 */
export async function dispatch(interaction: Interaction, commands: readonly Command[], ctx: BotContext): Promise<void> {
  ctx.windows.open(interaction.id);
  try {
    await route(interaction, commands, ctx);
  } catch (err) {
    // Too late for Discord to take any response: a reply now would only fail again.
    if (isDroppedResponse(err)) ctx.log.warn(`${describe(interaction)} ${droppedReason(err)}`);
    else await reportFailure(interaction, err, ctx);
  } finally {
    ctx.windows.close(interaction.id);
  }
}

async function route(interaction: Interaction, commands: readonly Command[], ctx: BotContext): Promise<void> {
  if (interaction.isAutocomplete()) return autocomplete(interaction, commands, ctx);
  if (!interaction.isRepliable()) return;
  // Commands are registered for servers only; a DM or a user-installed context gets told so.
  if (!interaction.inGuild()) return notice(interaction, GUILD_ONLY_NOTICE);
  if (!(await allowedAt(ctx, interaction.client, interaction.channelId))) {
    await notice(interaction, notHereNotice(ctx));
    return;
  }
  if (interaction.isButton()) return handleButton(interaction, ctx);
  if (!interaction.isCommand()) return;
  const command = commands.find((c) => c.data.name === interaction.commandName);
  if (!command) {
    await notice(interaction, 'I no longer know that command. An admin may need to run `citebot deploy`.');
    return;
  }
  // Questions take the cooldown in the command, after their input is checked (gate.admit).
  if (command.kind === 'slash' && interaction.isChatInputCommand()) return command.execute(interaction, ctx);
  if (command.kind === 'message' && interaction.isMessageContextMenuCommand()) return command.execute(interaction, ctx);
}

async function autocomplete(interaction: AutocompleteInteraction, commands: readonly Command[], ctx: BotContext): Promise<void> {
  const command = commands.find((c) => c.data.name === interaction.commandName);
  if (!interaction.inGuild() || !(await allowedAt(ctx, interaction.client, interaction.channelId)) || command?.kind !== 'slash' || !command.autocomplete) {
    await interaction.respond([]);
    return;
  }
  await command.autocomplete(interaction, ctx);
}

async function reportFailure(interaction: Interaction, err: unknown, ctx: BotContext): Promise<void> {
  const what = describe(interaction);
  if (isCitebotError(err)) ctx.log.warn(`${what}: ${err.userMessage}`);
  else ctx.log.error(`${what} failed`, err);
  try {
    if (interaction.isAutocomplete()) {
      if (!interaction.responded) await interaction.respond([]);
    } else if (interaction.isRepliable()) {
      await notice(interaction, isCitebotError(err) ? err.userMessage : FAILURE_NOTICE);
    }
  } catch (replyErr) {
    // The interaction may have expired or Discord may be down; the bot carries on.
    ctx.log.error(`${what}: could not send the error reply`, replyErr);
  }
}

function describe(interaction: Interaction): string {
  if (interaction.isCommand() || interaction.isAutocomplete()) return `/${interaction.commandName} by ${interaction.user.id}`;
  if (interaction.isButton()) return `button ${interaction.customId} by ${interaction.user.id}`;
  return `interaction ${interaction.id}`;
}
