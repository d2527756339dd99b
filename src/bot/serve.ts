/**
 * Runs the bot: one discord.js client wired to the dispatcher and the mention
 * handler, with every failure logged (token redacted) and none fatal.
 */
import { Client, Events, GatewayIntentBits } from 'discord.js';
import { requireDiscord, type Config } from '../config.js';
import { CitebotError } from '../errors.js';
import type { LibraryApi } from '../library/library.js';
import { AnswerMemory } from './state/answer-memory.js';
import type { BotContext } from './command.js';
import { commands } from './commands/index.js';
import { Cooldowns, type CooldownBook } from './state/cooldown.js';
import { restOptions } from './deploy.js';
import { dispatch } from './dispatch.js';
import { FeedbackLog, type FeedbackSink } from './state/feedback.js';
import { redactingLog, type BotLog } from './log.js';
import { NO_PINGS } from './ui/answer-reply.js';
import { handleMention } from './mention.js';
import { autoReply } from './auto-reply.js';
import { ThreadTurns } from './state/thread-turns.js';
import { ResponseWindows } from './state/response-windows.js';

export interface BotOptions {
  /** Which gateway shards this client runs (default: discord.js's, i.e. the ShardingManager's or one). */
  shards?: { ids: number[]; count: number };
  /** In a ShardingManager child: cooldowns and votes kept by the manager, and how to announce a reindex. */
  shared?: { cooldowns: CooldownBook; feedback: FeedbackSink; announceReindex: (generation: string) => void };
}

export interface RunningBot {
  client: Client<true>;
  /** Context shared by the handlers (counters, memory); exposed for tests and benches. */
  context: BotContext;
  stop(): Promise<void>;
}

/**
 * Logs in and resolves once the bot is ready. With DISCORD_API_URL set, REST
 * goes there, and so does the gateway, because discord.js takes the gateway URL
 * from `GET /gateway/bot` on that API.
 *
 * @example
 * const bot = await startBot(config, library, log);
 * process.once('SIGINT', () => void bot.stop());
 */
export async function startBot(config: Config, library: LibraryApi, sink: BotLog, options: BotOptions = {}): Promise<RunningBot> {
  requireDiscord(config, ['token']);
  const token = config.discord.token!;
  const log = redactingLog(sink, [token]);
  const windows = new ResponseWindows();
  const context: BotContext = {
    library,
    config,
    log,
    cooldowns: options.shared?.cooldowns ?? new Cooldowns(config.cooldownSeconds),
    memory: new AnswerMemory(),
    feedback: options.shared?.feedback ?? (await checkedFeedback(config)),
    turns: new ThreadTurns(),
    counters: { startedAt: Date.now(), questions: 0, answered: 0 },
    windows,
    ...(options.shared ? { announceReindex: options.shared.announceReindex } : {}),
  };
  const client = new Client({
    intents: intentsFor(config),
    // A 429 on a first response is waited out only while Discord would still take it.
    rest: { ...restOptions(config), rejectOnRateLimit: (limit) => windows.rejects(limit) },
    allowedMentions: NO_PINGS,
    ...(options.shards ? { shards: options.shards.ids, shardCount: options.shards.count } : {}),
  });
  wireEvents(client, context, config.debug);
  const onRejection = (reason: unknown) => log.error('unhandled promise rejection', reason);
  process.on('unhandledRejection', onRejection);
  const ready = new Promise<Client<true>>((resolve) => client.once(Events.ClientReady, resolve));
  try {
    await client.login(token);
    await ready;
  } catch (err) {
    process.off('unhandledRejection', onRejection);
    await client.destroy();
    throw loginError(err, config);
  }
  log.info(`logged in as ${client.user?.tag ?? 'unknown'}; serving ${library.stats().passages} passages`);
  return {
    client: client as Client<true>,
    context,
    async stop() {
      await client.destroy();
      process.off('unhandledRejection', onRejection);
      log.info('bot stopped');
    },
  };
}

/** The feedback file, checked before login so a bad FEEDBACK_FILE is one line at start-up. */
async function checkedFeedback(config: Config): Promise<FeedbackLog> {
  const feedback = new FeedbackLog(config.feedbackFile);
  await feedback.check();
  return feedback;
}

/**
 * Guilds (commands, channels, threads), GuildMessages (mentions) and, for
 * the ⏳ reaction, nothing more. No MessageContent: Discord still sends the
 * content of messages that mention the bot; only auto-reply channels, whose
 * posts don't, need it. No DirectMessages: the bot works in servers only.
 *
 * @example
 * new Client({ intents: intentsFor(config) });
 */
export function intentsFor(config: Config): GatewayIntentBits[] {
  const intents = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages];
  if (config.autoReplyChannelIds.length > 0) intents.push(GatewayIntentBits.MessageContent);
  return intents;
}

/** Login failures a user can fix, as one clear line; anything else is passed on. */
function loginError(err: unknown, config: Config): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'TokenInvalid') {
    return new CitebotError('Discord rejected DISCORD_TOKEN.', { hint: 'Copy the bot token again from the Developer Portal (Bot → Reset Token).', cause: err });
  }
  if (typeof code === 'string' && /^(ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|UND_ERR_CONNECT_TIMEOUT)$/.test(code)) {
    return new CitebotError(`Could not reach the Discord API at ${config.discord.apiUrl ?? 'discord.com'} (${code}).`, { cause: err });
  }
  return err;
}

function wireEvents(client: Client, ctx: BotContext, debug: boolean): void {
  const { log } = ctx;
  client.on(Events.InteractionCreate, (interaction) => void dispatch(interaction, commands, ctx));
  client.on(Events.MessageCreate, (message) => {
    void handleMention(message, ctx);
    void autoReply(message, ctx);
  });
  client.on(Events.Error, (err) => log.error('discord client error', err));
  client.on(Events.Warn, (message) => log.warn(message));
  client.on(Events.ShardError, (err, shard) => log.error(`gateway shard ${shard} error`, err));
  client.on(Events.ShardDisconnect, (event, shard) => log.warn(`gateway shard ${shard} disconnected (${event.code})`));
  client.on(Events.ShardReconnecting, (shard) => log.info(`gateway shard ${shard} reconnecting`));
  client.on(Events.ShardResume, (shard, replayed) => log.info(`gateway shard ${shard} resumed (${replayed} events replayed)`));
  // discord.js queues requests itself when a bucket runs dry; worth knowing under load, not a warning.
  client.rest.on('rateLimited', (info) => log.info(`rate limited on ${info.route}: waiting ${info.retryAfter} ms`));
  if (debug) {
    client.on(Events.Debug, (message) => log.info(`debug: ${message}`));
    client.rest.on('restDebug', (message) => log.info(`rest: ${message}`));
  }
}
