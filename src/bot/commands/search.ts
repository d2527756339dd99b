/** `/search query:<text>`: a compact list of matching passages. */
import { ApplicationIntegrationType, InteractionContextType, SlashCommandBuilder } from 'discord.js';
import type { Command } from '../command.js';
import { admitted } from '../gate.js';
import { NO_PINGS } from '../ui/answer-reply.js';
import { searchEmbed } from '../ui/render.js';

const WORDLESS = 'Your search has no words to look up. Search in words, e.g. `/search query: Rubio Riyadh`';
/** A list shows a few more passages than an answer does. */
const MIN_RESULTS = 5;

export const searchCommand = {
  kind: 'slash',
  data: new SlashCommandBuilder()
    .setName('search')
    .setDescription('List the passages that match a search.')
    .setContexts(InteractionContextType.Guild)
    .setIntegrationTypes(ApplicationIntegrationType.GuildInstall)
    .addStringOption((o) => o.setName('query').setDescription('Words to look for').setRequired(true).setMaxLength(500)),
  async execute(interaction, ctx) {
    const query = await admitted(interaction, ctx, interaction.options.getString('query', true), WORDLESS);
    // Deferred by `admitted`, before any work.
    if (query === null) return;
    const answer = await ctx.library.ask(query, { topK: Math.max(ctx.library.topK, MIN_RESULTS) });
    const embed = searchEmbed(answer, { sourceBaseUrl: ctx.config.sourceBaseUrl });
    await interaction.editReply({ embeds: [embed], allowedMentions: NO_PINGS });
  },
} satisfies Command;
