/** `/ask question:<text>`: the passages that answer a question, quoted with their sources. */
import { ApplicationIntegrationType, InteractionContextType, SlashCommandBuilder } from 'discord.js';
import type { Command } from '../command.js';
import { threadIdOf } from '../ui/answer-reply.js';
import { admitted } from '../gate.js';
import { answerReply } from '../ui/answer-reply.js';

const WORDLESS = 'Your question has no words to look up. Ask in words, e.g. `/ask question: Who led the talks?`';

export const askCommand = {
  kind: 'slash',
  data: new SlashCommandBuilder()
    .setName('ask')
    .setDescription('Answer a question by quoting the documents.')
    .setContexts(InteractionContextType.Guild)
    .setIntegrationTypes(ApplicationIntegrationType.GuildInstall)
    .addStringOption((o) => o.setName('question').setDescription('What do you want to know?').setRequired(true).setMaxLength(500)),
  async execute(interaction, ctx) {
    const question = await admitted(interaction, ctx, interaction.options.getString('question', true), WORDLESS);
    // Deferred by `admitted`, before any work: Discord allows 3 s for the first response.
    if (question === null) return;
    await interaction.editReply(await answerReply(ctx, question, 0, { threadId: threadIdOf(interaction) }));
  },
} satisfies Command;
