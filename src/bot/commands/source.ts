/** `/source file:<autocomplete> paragraph:<n>`: a paragraph with its neighbours. */
import { ApplicationIntegrationType, InteractionContextType, SlashCommandBuilder } from 'discord.js';
import { CitebotError } from '../../errors.js';
import type { Command } from '../command.js';
import { deferFirst } from '../deferral.js';
import { NO_PINGS } from '../ui/answer-reply.js';
import { fileChoices, resolveFile } from '../ui/file-choice.js';
import { sourceEmbed, type ParagraphView } from '../ui/render.js';

export const sourceCommand = {
  kind: 'slash',
  data: new SlashCommandBuilder()
    .setName('source')
    .setDescription('Show a paragraph of a document with the ones around it.')
    .setContexts(InteractionContextType.Guild)
    .setIntegrationTypes(ApplicationIntegrationType.GuildInstall)
    .addStringOption((o) => o.setName('file').setDescription('Indexed file').setRequired(true).setAutocomplete(true))
    .addIntegerOption((o) => o.setName('paragraph').setDescription('Paragraph number (¶)').setRequired(true).setMinValue(1)),
  async autocomplete(interaction, ctx) {
    const typed = interaction.options.getFocused();
    await interaction.respond(fileChoices(ctx.library.files(), typed));
  },
  async execute(interaction, ctx) {
    // Before the lookups: on a large index under load even they must not hold up the first response.
    await deferFirst(interaction, ctx);
    const file = resolveFile(ctx.library.files(), interaction.options.getString('file', true));
    const paragraph = interaction.options.getInteger('paragraph', true);
    const count = ctx.library.paragraphCount(file);
    if (paragraph < 1 || paragraph > count) {
      throw new CitebotError(`${file} has paragraphs 1–${count}; there is no ¶${paragraph}.`);
    }
    const views: ParagraphView[] = [paragraph - 1, paragraph, paragraph + 1]
      .filter((n) => n >= 1 && n <= count)
      .map((n) => ({ paragraph: n, passages: ctx.library.paragraph(file, n) }))
      .filter((view) => view.passages.length > 0);
    const embed = sourceEmbed(file, paragraph, views, { sourceBaseUrl: ctx.config.sourceBaseUrl });
    await interaction.editReply({ embeds: [embed], allowedMentions: NO_PINGS });
  },
} satisfies Command;
