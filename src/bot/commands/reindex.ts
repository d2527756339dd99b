/**
 * `/reindex`: re-read the documents. Admins only: Discord hides it from members
 * without Manage Server by default, and because a server can override that
 * default, the permission is checked again here.
 */
import { ApplicationIntegrationType, InteractionContextType, MessageFlags, PermissionFlagsBits, SlashCommandBuilder } from 'discord.js';
import type { Command } from '../command.js';
import { ingestSentence, skippedSentence } from '../../library/summary.js';
import { notice } from '../ui/notice.js';

export const reindexCommand = {
  kind: 'slash',
  data: new SlashCommandBuilder()
    .setName('reindex')
    .setDescription('Re-read the documents and rebuild the index (Manage Server only).')
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
    .setContexts(InteractionContextType.Guild)
    .setIntegrationTypes(ApplicationIntegrationType.GuildInstall),
  async execute(interaction, ctx) {
    if (!interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) {
      return notice(interaction, 'Only members with the Manage Server permission can reindex.');
    }
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const s = await ctx.library.reindex();
    // With shards, the others load the new index from disk too.
    ctx.announceReindex?.(s.generation);
    ctx.log.info(`reindex by ${interaction.user.id}: ${s.files} files, ${s.passages} passages in ${s.seconds.toFixed(1)}s`);
    const skipped = skippedSentence(s.skipped, '`citebot ingest --verbose` lists them');
    await interaction.editReply(skipped ? `${ingestSentence(s)}\n${skipped}` : ingestSentence(s));
  },
} satisfies Command;
