/** `/help`: what the bot does and how to ask it. */
import { ApplicationIntegrationType, InteractionContextType, MessageFlags, SlashCommandBuilder } from 'discord.js';
import type { Command } from '../command.js';
import { helpEmbed } from '../ui/render.js';

export const helpCommand = {
  kind: 'slash',
  data: new SlashCommandBuilder()
    .setName('help')
    .setDescription('How to ask the documents.')
    .setContexts(InteractionContextType.Guild)
    .setIntegrationTypes(ApplicationIntegrationType.GuildInstall),
  async execute(interaction) {
    await interaction.reply({ embeds: [helpEmbed(interaction.client.user.username)], flags: MessageFlags.Ephemeral });
  },
} satisfies Command;
