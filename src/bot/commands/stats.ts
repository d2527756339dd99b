/** `/stats`: what is indexed, how, since when, and how busy the bot has been. */
import { ApplicationIntegrationType, InteractionContextType, SlashCommandBuilder } from 'discord.js';
import type { Command } from '../command.js';
import { statsEmbed } from '../ui/render.js';

export const statsCommand = {
  kind: 'slash',
  data: new SlashCommandBuilder()
    .setName('stats')
    .setDescription('Show what is indexed and how the bot is doing.')
    .setContexts(InteractionContextType.Guild)
    .setIntegrationTypes(ApplicationIntegrationType.GuildInstall),
  async execute(interaction, ctx) {
    const { startedAt, questions, answered } = ctx.counters;
    const embed = statsEmbed(ctx.library.stats(), { startedAt, now: Date.now(), questions, answered });
    await interaction.reply({ embeds: [embed] });
  },
} satisfies Command;
