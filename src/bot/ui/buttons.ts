/**
 * The buttons under an answer and the custom ids they carry:
 * `cb1:<action>:<key>`, where the key points into AnswerMemory.
 */
import { ActionRowBuilder, ButtonBuilder, ButtonStyle } from 'discord.js';

export type ButtonAction = 'more' | 'up' | 'down';

const PREFIX = 'cb1';

/**
 * @example
 * customId('more', key); // 'cb1:more:Ab3dE…'
 */
export function customId(action: ButtonAction, key: string): string {
  return `${PREFIX}:${action}:${key}`;
}

/**
 * The action and key of one of our buttons, or null for anything else
 * (a button from an older version of the bot, say).
 *
 * @example
 * parseCustomId('cb1:up:Ab3dE12345'); // { action: 'up', key: 'Ab3dE12345' }
 */
export function parseCustomId(id: string): { action: ButtonAction; key: string } | null {
  const match = /^cb1:(more|up|down):([\w-]{1,40})$/.exec(id);
  if (!match) return null;
  return { action: match[1] as ButtonAction, key: match[2]! };
}

/**
 * "More results" (when there may be more) and the two feedback buttons.
 *
 * @example
 * await interaction.editReply({ embeds, components: [answerButtons(key, true)] });
 */
export function answerButtons(key: string, more: boolean): ActionRowBuilder<ButtonBuilder> {
  const row = new ActionRowBuilder<ButtonBuilder>();
  if (more) row.addComponents(new ButtonBuilder().setCustomId(customId('more', key)).setLabel('More results').setStyle(ButtonStyle.Primary));
  row.addComponents(
    new ButtonBuilder().setCustomId(customId('up', key)).setEmoji('👍').setStyle(ButtonStyle.Secondary),
    new ButtonBuilder().setCustomId(customId('down', key)).setEmoji('👎').setStyle(ButtonStyle.Secondary),
  );
  return row;
}
