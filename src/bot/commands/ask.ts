/** `/ask question:<text>`: the passages that answer a question, quoted with their sources. */
import { SlashCommandBuilder } from 'discord.js';
import type { Command } from '../command.js';
import { answerReply, isWordless } from '../ui/answer-reply.js';
import { notice } from '../ui/notice.js';

const WORDLESS = 'Your question has no words to look up. Ask in words, e.g. `/ask question: Who led the talks?`';

export const askCommand = {
  kind: 'slash',
  cooldown: true,
  data: new SlashCommandBuilder()
    .setName('ask')
    .setDescription('Answer a question by quoting the documents.')
    .addStringOption((o) => o.setName('question').setDescription('What do you want to know?').setRequired(true).setMaxLength(500)),
  async execute(interaction, ctx) {
    const question = interaction.options.getString('question', true);
    if (isWordless(question)) return notice(interaction, WORDLESS);
    // Discord allows 3 s for the first response; searching may take longer.
    await interaction.deferReply();
    await interaction.editReply(await answerReply(ctx, question, 0));
  },
} satisfies Command;
