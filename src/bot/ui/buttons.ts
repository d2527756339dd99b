/**
 * The buttons under an answer and the custom ids they carry:
 * `cb1:<action>:<key>`, where the key points into AnswerMemory.
 */
import { ActionRowBuilder, ButtonBuilder, ButtonStyle } from 'discord.js';

export type ButtonAction = 'more' | 'near' | 'up' | 'down';

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
  const match = /^cb1:(more|near|up|down):([\w-]{1,40})$/.exec(id);
  if (!match) return null;
  return { action: match[1] as ButtonAction, key: match[2]! };
}

export interface ButtonChoice {
  /** "More results": the next page (when there may be one). */
  more: boolean;
  /** "Nearest passages": what came closest, under a "not covered" reply. */
  nearest: boolean;
}

/**
 * "More results" or "Nearest passages" when they apply, and the two feedback buttons.
 *
 * @example
 * await interaction.editReply({ embeds, components: [answerButtons(key, { more: true, nearest: false })] });
 */
export function answerButtons(key: string, choice: ButtonChoice): ActionRowBuilder<ButtonBuilder> {
  const row = new ActionRowBuilder<ButtonBuilder>();
  if (choice.more) row.addComponents(new ButtonBuilder().setCustomId(customId('more', key)).setLabel('More results').setStyle(ButtonStyle.Primary));
  if (choice.nearest) row.addComponents(new ButtonBuilder().setCustomId(customId('near', key)).setLabel('Nearest passages').setStyle(ButtonStyle.Secondary));
  row.addComponents(
    new ButtonBuilder().setCustomId(customId('up', key)).setEmoji('👍').setStyle(ButtonStyle.Secondary),
    new ButtonBuilder().setCustomId(customId('down', key)).setEmoji('👎').setStyle(ButtonStyle.Secondary),
  );
  return row;
}
