/** Message context menu "Find sources": the passages most relevant to a message. */
import { ApplicationCommandType, ContextMenuCommandBuilder } from 'discord.js';
import type { Command } from '../command.js';
import { answerReply, isWordless } from '../ui/answer-reply.js';
import { notice } from '../ui/notice.js';

/** Long messages are cut: the question only steers the search. */
const MAX_QUESTION = 1000;

export const findSourcesCommand = {
  kind: 'message',
  cooldown: true,
  data: new ContextMenuCommandBuilder().setName('Find sources').setType(ApplicationCommandType.Message),
  async execute(interaction, ctx) {
    const text = interaction.targetMessage.content.trim();
    if (isWordless(text)) return notice(interaction, 'That message has no words to look up.');
    await interaction.deferReply();
    await interaction.editReply(await answerReply(ctx, text.slice(0, MAX_QUESTION), 0));
  },
} satisfies Command;
