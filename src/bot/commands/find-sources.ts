/** Message context menu "Find sources": the passages most relevant to a message. */
import { ApplicationCommandType, ApplicationIntegrationType, ContextMenuCommandBuilder, InteractionContextType } from 'discord.js';
import type { Command } from '../command.js';
import { admitted } from '../gate.js';
import { answerReply } from '../ui/answer-reply.js';

export const findSourcesCommand = {
  kind: 'message',
  data: new ContextMenuCommandBuilder()
    .setName('Find sources')
    .setType(ApplicationCommandType.Message)
    .setContexts(InteractionContextType.Guild)
    .setIntegrationTypes(ApplicationIntegrationType.GuildInstall),
  async execute(interaction, ctx) {
    // Long messages are cut at a word: the text only steers the search.
    const question = await admitted(interaction, ctx, interaction.targetMessage.content, 'That message has no words to look up.');
    // Deferred by `admitted`, before any work.
    if (question === null) return;
    await interaction.editReply(await answerReply(ctx, question, 0));
  },
} satisfies Command;
