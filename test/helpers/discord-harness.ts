/**
 * One fake Discord server + the real discord.js bot + the real library over a
 * temp copy of seeds/ (keyword mode), and helpers that play a Discord user:
 * send an interaction or a message, then wait for what the bot sent back.
 */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfig, PROJECT_DIR, type Config } from '../../src/config.js';
import { openLibrary, type Library, type LibraryApi } from '../../src/library/library.js';
import type { BotLog } from '../../src/bot/log.js';
import { startBot, type BotOptions, type RunningBot } from '../../src/bot/serve.js';
import { FakeDiscord, type FakeDiscordOptions, type RecordedRequest } from '../discord/fake-discord.js';
import { member, sendInteraction, slashData, userMessage, type Member, type Sent } from './discord-payloads.js';

export type { Member, Sent };

export const TOKEN = 'MTMwMDAwMDAwMDAwMDAwMDAwMQ.GsEcRt.ThisIsTheFakeBotTokenNeverLogIt_x';

export interface HarnessOptions {
  /** Extra documents written next to the seeds: relative path → text. */
  docs?: Record<string, string>;
  /** More environment variables (COOLDOWN_SECONDS, ALLOWED_CHANNEL_IDS, …). */
  env?: Record<string, string>;
  /** Wraps the real library, e.g. to make a call fail. */
  wrap?: (library: Library) => LibraryApi;
  /** Runs with the fake server's channel ids before the config is parsed. */
  envFor?: (discord: FakeDiscord) => Record<string, string>;
  /** The fake server's options (bot name, forums, shards). */
  discord?: Partial<FakeDiscordOptions>;
  /** Why the library is in keyword mode, as /stats shows it. */
  keywordReason?: string;
  /** Passed to startBot (e.g. `shared` cooldowns and feedback a test watches). */
  bot?: BotOptions;
}

/** What the bot sent as the visible result of an interaction. */
export interface BotReply {
  via: 'callback' | 'edit' | 'followup';
  body: { content?: string; embeds?: Array<{ title?: string; description?: string; footer?: { text: string } }>; components?: any[]; flags?: number; allowed_mentions?: { parse?: string[] } };
  request: RecordedRequest;
}

export class Harness {
  private constructor(
    readonly discord: FakeDiscord,
    readonly bot: RunningBot,
    readonly library: Library,
    readonly config: Config,
    readonly dir: string,
    /** Every line the bot logged (after its own redaction). */
    readonly logs: string[],
  ) {}

  /**
   * @example
   * const h = await Harness.start({ env: { COOLDOWN_SECONDS: '0' } });
   * afterAll(() => h.close());
   */
  static async start(options: HarnessOptions = {}): Promise<Harness> {
    const dir = await mkdtemp(path.join(tmpdir(), 'citebot-discord-'));
    const docsDir = path.join(dir, 'docs');
    await cp(path.join(PROJECT_DIR, 'seeds'), docsDir, { recursive: true });
    for (const [file, text] of Object.entries(options.docs ?? {})) await writeFile(path.join(docsDir, file), text);
    const discord = await FakeDiscord.start({ ...options.discord, token: TOKEN });
    const config = parseConfig({
      DOCS_DIR: docsDir,
      INDEX_DIR: path.join(dir, 'index'),
      DISCORD_TOKEN: TOKEN,
      DISCORD_APPLICATION_ID: discord.applicationId,
      DISCORD_GUILD_ID: discord.guildId,
      DISCORD_API_URL: discord.apiUrl,
      FEEDBACK_FILE: path.join(dir, 'feedback', 'votes.jsonl'),
      COOLDOWN_SECONDS: '0',
      ...options.env,
      ...options.envFor?.(discord),
    });
    const logs: string[] = [];
    const library = await openLibrary({
      docsDir: config.docsDir,
      indexDir: config.indexDir,
      embedder: null,
      answerThreshold: config.answerThreshold,
      topK: config.topK,
      keywordReason: options.keywordReason ?? null,
      warn: (line) => logs.push(`warn ${line}`),
    });
    const bot = await startBot(config, options.wrap ? options.wrap(library) : library, captureLog(logs), options.bot);
    return new Harness(discord, bot, library, config, dir, logs);
  }

  /** Stops the client before the server: a client without a server reconnects forever. */
  async close(): Promise<void> {
    await this.bot.stop();
    await this.discord.close();
    await rm(this.dir, { recursive: true, force: true });
  }

  member(name: string, admin = false): Member {
    return member(name, admin);
  }

  /** Sends a slash command; options are `[name, value]` pairs (numbers become integer options). */
  command(name: string, options: Array<[string, string | number]>, by: Member, channelId = this.discord.channelIds[0]!): Sent {
    return sendInteraction(this.discord, 2, slashData(name, options), by, channelId);
  }

  /** Sends an autocomplete request for the `focused` option of a command. */
  autocomplete(name: string, focused: string, typed: string, by: Member): Sent {
    const data = { ...slashData(name, []), options: [{ name: focused, type: 3, value: typed, focused: true }] };
    return sendInteraction(this.discord, 4, data, by, this.discord.channelIds[0]!);
  }

  /** Clicks a button of a message the bot sent. */
  click(customId: string, message: Record<string, unknown>, by: Member): Sent {
    return sendInteraction(this.discord, 3, { custom_id: customId, component_type: 2 }, by, String(message.channel_id), { message });
  }

  /** Runs the "Find sources" message command on a message with `content`. */
  findSources(content: string, by: Member): Sent {
    const target = userMessage(this.discord, content, member('author'));
    const data = { ...slashData('Find sources', []), type: 3, target_id: target.id, resolved: { messages: { [target.id]: target } } };
    return sendInteraction(this.discord, 2, data, by, this.discord.channelIds[0]!);
  }

  /** Posts a channel message (a mention of the bot when `mentionsBot`). */
  say(content: string, by: Member, options: { mentionsBot?: boolean; bot?: boolean; channelId?: string; id?: string } = {}): string {
    const mentions = options.mentionsBot === false ? [] : [this.discord.botUser];
    const message = userMessage(this.discord, content, by, { mentions, ...options });
    this.discord.dispatch('MESSAGE_CREATE', message);
    return message.id;
  }

  /** The interaction response callback Discord received. */
  callback(sent: Sent): Promise<RecordedRequest> {
    return this.discord.waitFor((r) => r.method === 'POST' && r.path === `/interactions/${sent.id}/${sent.token}/callback`);
  }

  /** What the user finally sees: the immediate reply, or the edit / follow-up after a defer. */
  async reply(sent: Sent): Promise<BotReply> {
    const callback = await this.callback(sent);
    if (callback.body.type !== 5) return { via: 'callback', body: callback.body.data ?? {}, request: callback };
    const hook = `/webhooks/${this.discord.applicationId}/${sent.token}`;
    const request = await this.discord.waitFor(
      (r) => r.status < 300 && ((r.method === 'PATCH' && r.path === `${hook}/messages/@original`) || (r.method === 'POST' && r.path === hook)),
    );
    return { via: request.method === 'PATCH' ? 'edit' : 'followup', body: request.body, request };
  }

  /** The message the bot posted in reply to channel message `messageId`. */
  replyTo(messageId: string): Promise<RecordedRequest> {
    return this.discord.waitFor(
      (r) => r.status < 300 && r.method === 'POST' && /^\/channels\/\d+\/messages$/.test(r.path) && r.body?.message_reference?.message_id === messageId,
    );
  }

  /** The stored message that an interaction's reply became (for clicking its buttons). */
  messageOf(reply: BotReply): Record<string, unknown> {
    const body = reply.request.body.data ?? reply.request.body;
    return [...this.discord.messages.values()].reverse().find((m) => JSON.stringify(m.embeds) === JSON.stringify(body.embeds ?? []))!;
  }
}

/** A BotLog that keeps every line, so tests can look for leaks. */
function captureLog(lines: string[]): BotLog {
  return {
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    error: (m, err) => lines.push(`error ${m}${err === undefined ? '' : `: ${err instanceof Error ? err.stack : String(err)}`}`),
  };
}

/** Undoes the renderer's escaping, to compare embeds with document text. */
export function unescape(text: string | undefined): string {
  return (text ?? '').replace(/\\(.)/g, '$1').replace(/\u200b/g, '');
}
