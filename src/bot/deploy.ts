/** Registers the bot's commands with Discord: in one guild (instant) or globally. */
import { DiscordAPIError, REST, Routes, type RESTOptions } from 'discord.js';
import { requireDiscord, type Config } from '../config.js';
import { CitebotError } from '../errors.js';
import { commands } from './commands/index.js';

export interface Deployment {
  scope: 'guild' | 'global';
  names: string[];
}

/**
 * REST options for `config`: Discord itself, or the API at DISCORD_API_URL
 * (discord.js appends `/v10` to it).
 *
 * @example
 * new REST(restOptions(config)).setToken(token);
 */
export function restOptions(config: Config): Partial<RESTOptions> {
  return config.discord.apiUrl ? { api: config.discord.apiUrl } : {};
}

/**
 * Replaces the registered commands with this version's: in DISCORD_GUILD_ID when
 * set (visible at once), otherwise globally (Discord may take a while to show them).
 *
 * @example
 * const { scope, names } = await deployCommands(config);
 */
export async function deployCommands(config: Config): Promise<Deployment> {
  requireDiscord(config, ['token', 'applicationId']);
  const { token, applicationId, guildId } = config.discord;
  const rest = new REST(restOptions(config)).setToken(token!);
  const route = guildId ? Routes.applicationGuildCommands(applicationId!, guildId) : Routes.applicationCommands(applicationId!);
  const body = commands.map((command) => command.data.toJSON());
  try {
    const registered = (await rest.put(route, { body })) as Array<{ name: string }>;
    return { scope: guildId ? 'guild' : 'global', names: registered.map((c) => c.name) };
  } catch (err) {
    throw deployError(err, config);
  }
}

function deployError(err: unknown, config: Config): Error {
  if (err instanceof DiscordAPIError) {
    if (err.status === 401) return new CitebotError('Discord rejected DISCORD_TOKEN (401 Unauthorized).', { hint: 'Copy the bot token again from the Developer Portal.', cause: err });
    if (err.status === 403 || err.status === 404) {
      return new CitebotError(`Discord refused to register the commands (${err.status}: ${err.message}).`, {
        hint: 'Check DISCORD_APPLICATION_ID and DISCORD_GUILD_ID, and that the bot was invited with the applications.commands scope.',
        cause: err,
      });
    }
    return err;
  }
  const where = config.discord.apiUrl ?? 'discord.com';
  return new CitebotError(`Could not reach the Discord API at ${where}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}
