/**
 * A small Discord-compatible server on 127.0.0.1 for end-to-end tests with the
 * real discord.js client: the REST routes the bot uses (validated against
 * Discord's limits, 50035 on a breach) and a gateway (HELLO, heartbeats,
 * IDENTIFY → READY + GUILD_CREATE, RESUME → RESUMED with replay, op 7, drops),
 * threads and forum posts (THREAD_CREATE, GET /channels/:id), reactions,
 * typing, and sharding: with `shards: n` each IDENTIFY carries `shard: [i, n]`
 * and gets the guilds Discord would route to shard i (`(guild_id >> 22) % n`).
 * Every request is recorded; unknown routes are recorded too, so tests can
 * assert there are none.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { LIMITS, limitViolations, type MessageBody } from '../../src/bot/ui/limits.js';
import { hasLoneSurrogate } from '../../src/text/cut.js';

export interface FakeDiscordOptions {
  token: string;
  applicationId?: string;
  botId?: string;
  guildId?: string;
  /** Text channels of the (first) guild. */
  channelIds?: string[];
  /** The bot's user name (what /help and the mention hint show). */
  botName?: string;
  /** Forum channels of the first guild. */
  forumIds?: string[];
  /** What GET /gateway/bot recommends; with n > 1 there is one guild per shard. */
  shards?: number;
}

/** A thread or forum post the server knows (Discord sends THREAD_CREATE to the bot). */
export interface FakeThread {
  id: string;
  parentId: string;
  guildId: string;
  name: string;
}

/** One gateway session: a shard's socket, sequence and what it was sent. */
interface Session {
  shard: number;
  socket: WebSocket | null;
  sessionId: string;
  seq: number;
  sent: Array<{ s: number; frame: string }>;
}

export interface RecordedRequest {
  method: string;
  /** Path after `/api/v10`, decoded (`%40original` → `@original`). */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Whatever discord.js sent (parsed JSON); tests read the fields they assert on. */
  body: any;
  status: number;
  at: number;
}

/** A reply the server gives instead of handling the next matching request. */
interface Injected {
  method: string;
  path: RegExp;
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

type Json = Record<string, unknown>;
type Route = (req: RecordedRequest, match: RegExpExecArray) => { status: number; body?: unknown };

let nextId = 1_300_000_000_000_000_000n;
/** A fresh snowflake-shaped id. */
export function snowflake(): string {
  nextId += 1n;
  return nextId.toString();
}

export class FakeDiscord {
  readonly token: string;
  readonly applicationId: string;
  readonly botId: string;
  readonly guildId: string;
  readonly channelIds: string[];
  readonly forumIds: string[];
  readonly botName: string;
  readonly shardCount: number;
  /** Every guild: the first is `guildId`; with shards, guildIds[i] is on shard i. */
  readonly guildIds: string[];
  /** Text channels per guild. */
  readonly guildChannels = new Map<string, string[]>();
  readonly threads = new Map<string, FakeThread>();
  /** Reactions the bot added: channel, message, emoji. */
  readonly reactions: Array<{ channelId: string; messageId: string; emoji: string }> = [];
  readonly requests: RecordedRequest[] = [];
  readonly unknownRoutes: string[] = [];
  /** Message bodies refused with 50035, with the limits they broke. */
  readonly rejected: Array<{ path: string; problems: string[] }> = [];
  /** Gateway frames received from the client (op and d). */
  readonly gatewayFrames: Array<{ op: number; d: unknown; path: string }> = [];
  readonly messages = new Map<string, Json>();
  readonly commands = { global: [] as Json[], guild: [] as Json[] };
  /** Called with every request once answered (the load driver times interactions with it). */
  onRequest: ((request: RecordedRequest) => void) | null = null;

  private readonly http: Server;
  private readonly wss = new WebSocketServer({ noServer: true });
  /** One session per shard; dispatches sent while no socket was open are replayed on RESUME. */
  private readonly sessions = new Map<number, Session>();
  private readonly injected: Injected[] = [];
  private readonly acknowledged = new Set<string>();
  private readonly waiters = new Set<() => void>();
  private readonly routes: Array<[string, RegExp, Route]>;

  private constructor(options: FakeDiscordOptions) {
    this.token = options.token;
    this.applicationId = options.applicationId ?? snowflake();
    this.botId = options.botId ?? this.applicationId;
    this.shardCount = options.shards ?? 1;
    this.guildIds = Array.from({ length: this.shardCount }, (_, i) => (i === 0 && options.guildId) || guildIdOnShard(i, this.shardCount));
    this.guildId = this.guildIds[0]!;
    this.channelIds = options.channelIds ?? [snowflake(), snowflake()];
    this.forumIds = options.forumIds ?? [snowflake()];
    this.botName = options.botName ?? 'citebot';
    this.guildChannels.set(this.guildId, this.channelIds);
    for (const id of this.guildIds.slice(1)) this.guildChannels.set(id, [snowflake()]);
    this.routes = this.buildRoutes();
    this.http = createServer((req, res) => void this.handleHttp(req, res));
    this.http.on('upgrade', (req, socket, head) => {
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws, req.url ?? '/'));
    });
  }

  /**
   * Starts a server on a random port.
   *
   * @example
   * const discord = await FakeDiscord.start({ token: 'x.y.z' });
   * config.discord.apiUrl = discord.apiUrl;
   */
  static async start(options: FakeDiscordOptions): Promise<FakeDiscord> {
    const server = new FakeDiscord(options);
    await new Promise<void>((resolve) => server.http.listen(0, '127.0.0.1', resolve));
    return server;
  }

  get port(): number {
    return (this.http.address() as AddressInfo).port;
  }

  /** What DISCORD_API_URL should be: discord.js appends `/v10` itself. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  get botUser(): Json {
    return { id: this.botId, username: this.botName, discriminator: '0000', global_name: null, avatar: null, bot: true };
  }

  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  // ---- test controls -------------------------------------------------------

  /** Answers the next `method` request matching `path` with this instead. */
  inject(method: string, path: RegExp, status: number, body: unknown, headers: Record<string, string> = {}): void {
    this.injected.push({ method, path, status, body, headers });
  }

  /** The next matching request gets a 429 with Retry-After, as Discord sends on a rate limit. */
  rateLimitOnce(method: string, path: RegExp, retryAfterSeconds = 1): void {
    this.inject(method, path, 429, { message: 'You are being rate limited.', retry_after: retryAfterSeconds, global: false }, {
      'retry-after': String(retryAfterSeconds),
      'x-ratelimit-scope': 'user',
    });
  }

  /**
   * Sends a gateway dispatch to the shard of its guild (`d.guild_id`; shard 0
   * without one), queued and replayed on RESUME when no socket is open.
   */
  dispatch(t: string, d: unknown): void {
    const guildId = (d as { guild_id?: unknown } | null)?.guild_id;
    this.send(this.session(typeof guildId === 'string' ? this.shardOf(guildId) : 0), t, d);
  }

  /** The shard Discord routes a guild's events to. */
  shardOf(guildId: string): number {
    return Number((BigInt(guildId) >> 22n) % BigInt(this.shardCount));
  }

  /** The guild a channel or thread belongs to. */
  guildOf(channelId: string): string {
    const thread = this.threads.get(channelId);
    if (thread) return thread.guildId;
    for (const [guild, channels] of this.guildChannels) if (channels.includes(channelId)) return guild;
    return this.guildId;
  }

  /**
   * Opens a thread under a text channel, or a post in a forum channel, and
   * tells the bot (THREAD_CREATE), as Discord does.
   *
   * @example
   * const thread = discord.createThread(discord.channelIds[0]!, 'Deadlines');
   */
  createThread(parentId: string, name: string): FakeThread {
    const thread = { id: snowflake(), parentId, guildId: this.guildOf(parentId), name };
    this.threads.set(thread.id, thread);
    this.dispatch('THREAD_CREATE', { ...this.channelObject(thread.id), newly_created: true });
    return thread;
  }

  /** A channel as the API returns it: text (0), forum (15) or thread (11, with its parent). */
  channelObject(id: string): Json {
    const thread = this.threads.get(id);
    if (thread) {
      return {
        id, type: 11, guild_id: thread.guildId, parent_id: thread.parentId, name: thread.name, owner_id: snowflake(),
        thread_metadata: { archived: false, auto_archive_duration: 1440, archive_timestamp: new Date().toISOString(), locked: false },
        message_count: 0, member_count: 1, rate_limit_per_user: 0, flags: 0,
      };
    }
    const guildId = this.guildOf(id);
    const type = this.forumIds.includes(id) ? 15 : 0;
    return { id, type, name: `channel-${id.slice(-4)}`, guild_id: guildId, position: 0, permission_overwrites: [], ...(type === 15 ? { available_tags: [] } : {}) };
  }

  /** Asks the client to reconnect (op 7), as Discord does before moving a session. */
  requestReconnect(shard = 0): void {
    this.sessions.get(shard)?.socket?.send(JSON.stringify({ op: 7, d: null }));
  }

  /** Drops the connection without a close frame, like a network failure. */
  dropSocket(shard = 0): void {
    const session = this.sessions.get(shard);
    session?.socket?.terminate();
    if (session) session.socket = null;
  }

  private session(shard: number): Session {
    let session = this.sessions.get(shard);
    if (!session) {
      session = { shard, socket: null, sessionId: `session-${snowflake()}`, seq: 0, sent: [] };
      this.sessions.set(shard, session);
    }
    return session;
  }

  private send(session: Session, t: string, d: unknown): void {
    session.seq += 1;
    const frame = JSON.stringify({ op: 0, t, s: session.seq, d });
    session.sent.push({ s: session.seq, frame });
    if (session.socket?.readyState === 1) session.socket.send(frame);
  }

  /**
   * Resolves with the first recorded request (past or future) matching `test`.
   *
   * @example
   * const edit = await discord.waitFor((r) => r.method === 'PATCH' && r.path.endsWith('@original'));
   */
  waitFor(test: (r: RecordedRequest) => boolean, timeoutMs = 10_000): Promise<RecordedRequest> {
    return this.waitUntil(() => this.requests.find(test) ?? null, timeoutMs);
  }

  /**
   * Resolves once `probe` returns non-null; re-checked after every request and
   * gateway frame, and every 20 ms for things the server doesn't see (log lines).
   */
  waitUntil<T>(probe: () => T | null, timeoutMs = 10_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const stop = () => {
        this.waiters.delete(check);
        clearTimeout(timer);
        clearInterval(poll);
      };
      const check = () => {
        const value = probe();
        if (value === null) return;
        stop();
        resolve(value);
      };
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`FakeDiscord: timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      const poll = setInterval(check, 20);
      this.waiters.add(check);
      check();
    });
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  // ---- REST ----------------------------------------------------------------

  private buildRoutes(): Array<[string, RegExp, Route]> {
    const app = this.applicationId;
    return [
      ['GET', /^\/gateway\/bot$/, () => ({ status: 200, body: this.gatewayInfo() })],
      ['GET', /^\/gateway$/, () => ({ status: 200, body: { url: this.gatewayUrl('/gateway') } })],
      ['GET', /^\/users\/@me$/, () => ({ status: 200, body: this.botUser })],
      ['PUT', new RegExp(`^/applications/${app}/commands$`), (r) => this.registerCommands('global', r.body)],
      ['PUT', new RegExp(`^/applications/${app}/guilds/(\\d+)/commands$`), (r) => this.registerCommands('guild', r.body)],
      ['POST', /^\/interactions\/(\d+)\/([^/]+)\/callback$/, (r, m) => this.callback(m[1]!, m[2]!, r)],
      ['PATCH', new RegExp(`^/webhooks/${app}/([^/]+)/messages/(@original|\\d+)$`), (r) => this.message(null, r.body, r.path)],
      ['GET', new RegExp(`^/webhooks/${app}/([^/]+)/messages/(@original|\\d+)$`), () => ({ status: 200, body: this.messageObject(null, {}) })],
      ['DELETE', new RegExp(`^/webhooks/${app}/([^/]+)/messages/(@original|\\d+)$`), () => ({ status: 204 })],
      ['POST', new RegExp(`^/webhooks/${app}/([^/]+)$`), (r) => this.message(null, r.body, r.path)],
      ['POST', /^\/channels\/(\d+)\/messages$/, (r, m) => this.message(m[1]!, r.body, r.path)],
      ['POST', /^\/channels\/(\d+)\/typing$/, () => ({ status: 204 })],
      ['GET', /^\/channels\/(\d+)$/, (_r, m) => (this.knows(m[1]!) ? { status: 200, body: this.channelObject(m[1]!) } : { status: 404, body: { message: 'Unknown Channel', code: 10003 } })],
      ['PUT', /^\/channels\/(\d+)\/messages\/(\d+)\/reactions\/([^/]+)\/@me$/, (_r, m) => {
        this.reactions.push({ channelId: m[1]!, messageId: m[2]!, emoji: m[3]! });
        return { status: 204 };
      }],
    ];
  }

  private async handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const raw = await readBody(req);
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: decodeURIComponent(url.pathname.replace(/^\/api\/v10/, '')),
      query: url.searchParams,
      headers: req.headers,
      body: parseJson(raw),
      status: 0,
      at: performance.now(),
    };
    const { status, body, headers } = this.respond(recorded, url.pathname.startsWith('/api/v10/'));
    recorded.status = status;
    this.requests.push(recorded);
    res.writeHead(status, { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers });
    res.end(body === undefined ? undefined : JSON.stringify(body));
    this.onRequest?.(recorded);
    this.notify();
  }

  private respond(r: RecordedRequest, versioned: boolean): { status: number; body?: unknown; headers?: Record<string, string> } {
    const injected = this.injected.findIndex((i) => i.method === r.method && i.path.test(r.path));
    if (injected >= 0) {
      const [hit] = this.injected.splice(injected, 1);
      return { status: hit!.status, body: hit!.body, headers: hit!.headers };
    }
    const route = versioned ? this.routes.find(([method, path]) => method === r.method && path.test(r.path)) : undefined;
    if (!route) {
      this.unknownRoutes.push(`${r.method} ${r.path}`);
      return { status: 404, body: { message: '404: Not Found', code: 0 } };
    }
    const needsAuth = !/^\/(interactions|webhooks)\//.test(r.path);
    if (needsAuth && r.headers.authorization !== `Bot ${this.token}`) {
      return { status: 401, body: { message: '401: Unauthorized', code: 0 } };
    }
    return route[2](r, route[1].exec(r.path)!);
  }

  private knows(channelId: string): boolean {
    return this.threads.has(channelId) || [...this.guildChannels.values()].some((c) => c.includes(channelId)) || this.forumIds.includes(channelId);
  }

  private gatewayInfo(): Json {
    return {
      url: this.gatewayUrl('/gateway'),
      shards: this.shardCount,
      session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 16 },
    };
  }

  private gatewayUrl(path: string): string {
    return `ws://127.0.0.1:${this.port}${path}`;
  }

  private registerCommands(scope: 'global' | 'guild', body: Json[]): { status: number; body: unknown } {
    const registered = body.map((c) => ({ ...c, id: snowflake(), application_id: this.applicationId, version: snowflake() }));
    this.commands[scope] = registered;
    return { status: 200, body: registered };
  }

  private callback(id: string, token: string, r: RecordedRequest): { status: number; body?: unknown } {
    if (this.acknowledged.has(id)) return { status: 400, body: { message: 'Interaction has already been acknowledged.', code: 40060 } };
    const data = (r.body?.data ?? {}) as Json;
    const problems = r.body?.type === 8 ? choiceViolations(data) : limitViolations(data as MessageBody).concat(componentViolations(data));
    if (problems.length > 0) return this.reject(r.path, problems);
    this.acknowledged.add(id);
    if (r.body?.type === 4) this.messageObject(null, data, token);
    return { status: 204 };
  }

  private message(channelId: string | null, body: Json, path: string): { status: number; body?: unknown } {
    const problems = limitViolations(body as MessageBody).concat(componentViolations(body));
    if (problems.length > 0) return this.reject(path, problems);
    return { status: 200, body: this.messageObject(channelId, body) };
  }

  private reject(path: string, problems: string[]): { status: number; body: unknown } {
    this.rejected.push({ path, problems });
    return { status: 400, body: { message: 'Invalid Form Body', code: 50035, errors: { problems } } };
  }

  /** A stored message as Discord would return it; buttons in tests click on these. */
  messageObject(channelId: string | null, body: Json, interactionToken?: string): Json {
    const message: Json = {
      id: snowflake(),
      channel_id: channelId ?? this.channelIds[0],
      guild_id: this.guildOf(channelId ?? this.channelIds[0]!),
      author: this.botUser,
      content: body.content ?? '',
      embeds: body.embeds ?? [],
      components: body.components ?? [],
      attachments: [],
      mentions: [],
      mention_roles: [],
      mention_everyone: false,
      pinned: false,
      tts: false,
      type: body.message_reference ? 19 : 0,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      flags: body.flags ?? 0,
      ...(body.message_reference ? { message_reference: body.message_reference } : {}),
      ...(interactionToken ? { application_id: this.applicationId, webhook_id: this.applicationId } : {}),
    };
    this.messages.set(message.id as string, message);
    return message;
  }

  // ---- gateway ---------------------------------------------------------------

  private onSocket(ws: WebSocket, url: string): void {
    const path = url.split('?')[0] ?? '/';
    ws.send(JSON.stringify({ op: 10, d: { heartbeat_interval: 41_250 } }));
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { op: number; d: Json & { seq?: number } };
      this.gatewayFrames.push({ op: frame.op, d: frame.d, path });
      if (frame.op === 1) ws.send(JSON.stringify({ op: 11 }));
      if (frame.op === 2) this.identify(ws, frame.d);
      if (frame.op === 6) this.resume(ws, frame.d);
      this.notify();
    });
    ws.on('close', () => {
      for (const session of this.sessions.values()) if (session.socket === ws) session.socket = null;
    });
  }

  private identify(ws: WebSocket, d: Json): void {
    const [shard, count] = (d.shard as [number, number] | undefined) ?? [0, 1];
    if (d.token !== this.token) {
      ws.close(4004, 'Authentication failed.');
      return;
    }
    if (count !== this.shardCount || shard < 0 || shard >= count) {
      ws.close(4010, 'Invalid shard.');
      return;
    }
    const session = this.session(shard);
    session.socket = ws;
    const guilds = this.guildIds.filter((id) => this.shardOf(id) === shard);
    this.send(session, 'READY', {
      v: 10,
      user: this.botUser,
      guilds: guilds.map((id) => ({ id, unavailable: true })),
      session_id: session.sessionId,
      resume_gateway_url: this.gatewayUrl('/resume'),
      shard: [shard, count],
      application: { id: this.applicationId, flags: 0 },
    });
    for (const id of guilds) this.send(session, 'GUILD_CREATE', this.guild(id));
  }

  private resume(ws: WebSocket, d: Json & { seq?: number }): void {
    const session = [...this.sessions.values()].find((s) => s.sessionId === d.session_id);
    if (d.token !== this.token || !session) {
      ws.send(JSON.stringify({ op: 9, d: false }));
      return;
    }
    session.socket = ws;
    for (const { s, frame } of session.sent) if (s > (d.seq ?? 0)) ws.send(frame);
    this.send(session, 'RESUMED', null);
  }

  private guild(guildId: string): Json {
    const everyone = { id: guildId, name: '@everyone', permissions: '1024', position: 0, color: 0, hoist: false, managed: false, mentionable: false, flags: 0 };
    const channels = [...(this.guildChannels.get(guildId) ?? []), ...(guildId === this.guildId ? this.forumIds : [])];
    return {
      id: guildId,
      name: `Test guild ${guildId.slice(-4)}`,
      icon: null,
      owner_id: snowflake(),
      unavailable: false,
      member_count: 3,
      large: false,
      joined_at: new Date().toISOString(),
      features: [],
      roles: [everyone],
      emojis: [],
      stickers: [],
      channels: channels.map((id) => this.channelObject(id)),
      threads: [...this.threads.values()].filter((t) => t.guildId === guildId).map((t) => this.channelObject(t.id)),
      members: [{ user: this.botUser, roles: [], joined_at: new Date().toISOString(), deaf: false, mute: false, flags: 0 }],
      presences: [],
      voice_states: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
      premium_tier: 0,
      preferred_locale: 'en-US',
      system_channel_flags: 0,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      mfa_level: 0,
      nsfw_level: 0,
    };
  }
}

/** A snowflake whose guild events Discord routes to shard `shard` of `count`. */
function guildIdOnShard(shard: number, count: number): string {
  const base = BigInt(snowflake()) >> 22n;
  const bucket = base - (base % BigInt(count)) + BigInt(count) + BigInt(shard);
  return ((bucket << 22n) | 1n).toString();
}

function componentViolations(body: Json): string[] {
  const rows = (body.components ?? []) as Array<{ components?: Array<{ custom_id?: string; label?: string }> }>;
  return rows.flatMap((row) =>
    (row.components ?? []).flatMap((c) => [
      ...((c.custom_id?.length ?? 0) > LIMITS.customId ? [`custom_id ${c.custom_id} too long`] : []),
      ...((c.label?.length ?? 0) > LIMITS.buttonLabel ? [`label ${c.label} too long`] : []),
    ]),
  );
}

function choiceViolations(data: Json): string[] {
  const choices = (data.choices ?? []) as Array<{ name: string; value: unknown }>;
  const problems = choices.length > LIMITS.choices ? [`${choices.length} choices > ${LIMITS.choices}`] : [];
  for (const c of choices) {
    if (c.name.length > LIMITS.choiceName || String(c.value).length > LIMITS.choiceName) problems.push(`choice ${c.name} too long`);
    if (hasLoneSurrogate(c.name) || hasLoneSurrogate(String(c.value))) problems.push(`choice ${JSON.stringify(c.name)} has a lone surrogate`);
  }
  return problems;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(raw: string): unknown {
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}
