/** `/help`: what the bot does and how to ask it. */
import { MessageFlags, SlashCommandBuilder } from 'discord.js';
import type { Command } from '../command.js';
import { helpEmbed } from '../ui/render.js';

export const helpCommand = {
  kind: 'slash',
  cooldown: false,
  data: new SlashCommandBuilder().setName('help').setDescription('How to use citebot.'),
  async execute(interaction) {
    await interaction.reply({ embeds: [helpEmbed()], flags: MessageFlags.Ephemeral });
  },
} satisfies Command;
