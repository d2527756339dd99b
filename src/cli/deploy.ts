/** `citebot deploy`: register the slash and context-menu commands with Discord. */
import { requireDiscord } from '../config.js';
import { configFor } from './context.js';
import type { CliCommand } from './command.js';

export const deployCommand = {
  summary: 'Register the bot commands (in DISCORD_GUILD_ID when set, otherwise globally).',
  usage: 'citebot deploy',
  options: {},
  positionals: false,
  async run(_flags, _positionals, io) {
    // Loaded here, not at the top: discord.js alone is most of a cold start for every other command.
    const { deployCommands } = await import('../bot/deploy.js');
    const config = configFor({}, io.env);
    requireDiscord(config, ['token', 'applicationId']);
    const { scope, names } = await deployCommands(config);
    const where = scope === 'guild' ? `guild ${config.discord.guildId}` : 'all guilds (global; may take up to an hour to appear)';
    io.out(`Registered ${names.length} commands in ${where}: ${names.join(', ')}\n`);
    return 0;
  },
} satisfies CliCommand;
