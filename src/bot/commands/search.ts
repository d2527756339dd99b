/** `/search query:<text>`: a compact list of matching passages. */
import { SlashCommandBuilder } from 'discord.js';
import type { Command } from '../command.js';
import { NO_PINGS } from '../ui/answer-reply.js';
import { searchEmbed } from '../ui/render.js';

/** A list shows a few more passages than an answer does. */
const MIN_RESULTS = 5;

export const searchCommand = {
  kind: 'slash',
  cooldown: true,
  data: new SlashCommandBuilder()
    .setName('search')
    .setDescription('List the passages that match a search.')
    .addStringOption((o) => o.setName('query').setDescription('Words to look for').setRequired(true).setMaxLength(500)),
  async execute(interaction, ctx) {
    await interaction.deferReply();
    const query = interaction.options.getString('query', true);
    const answer = await ctx.library.ask(query, { topK: Math.max(ctx.config.topK, MIN_RESULTS) });
    const embed = searchEmbed(answer, { sourceBaseUrl: ctx.config.sourceBaseUrl });
    await interaction.editReply({ embeds: [embed], allowedMentions: NO_PINGS });
  },
} satisfies Command;
