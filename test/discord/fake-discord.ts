/**
 * A small Discord-compatible server on 127.0.0.1 for end-to-end tests with the
 * real discord.js client: the REST routes the bot uses (validated against
 * Discord's limits, 50035 on a breach) and a gateway (HELLO, heartbeats,
 * IDENTIFY → READY + GUILD_CREATE, RESUME → RESUMED with replay, op 7, drops).
 * Every request is recorded; unknown routes are recorded too, so tests can
 * assert there are none.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { LIMITS, limitViolations, type MessageBody } from '../../src/bot/ui/limits.js';

export interface FakeDiscordOptions {
  token: string;
  applicationId?: string;
  botId?: string;
  guildId?: string;
  /** Text channels of the guild. */
  channelIds?: string[];
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
  private socket: WebSocket | null = null;
  private readonly sessionId = `session-${snowflake()}`;
  private seq = 0;
  /** Dispatches sent (or queued while no socket was open), for replay on RESUME. */
  private readonly sent: Array<{ s: number; frame: string }> = [];
  private readonly injected: Injected[] = [];
  private readonly acknowledged = new Set<string>();
  private readonly waiters = new Set<() => void>();
  private readonly routes: Array<[string, RegExp, Route]>;

  private constructor(options: FakeDiscordOptions) {
    this.token = options.token;
    this.applicationId = options.applicationId ?? snowflake();
    this.botId = options.botId ?? this.applicationId;
    this.guildId = options.guildId ?? snowflake();
    this.channelIds = options.channelIds ?? [snowflake(), snowflake()];
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
    return { id: this.botId, username: 'citebot', discriminator: '0000', global_name: null, avatar: null, bot: true };
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

  /** Sends a gateway dispatch (queued and replayed on RESUME when no socket is open). */
  dispatch(t: string, d: unknown): void {
    this.seq += 1;
    const frame = JSON.stringify({ op: 0, t, s: this.seq, d });
    this.sent.push({ s: this.seq, frame });
    if (this.socket?.readyState === 1) this.socket.send(frame);
  }

  /** Asks the client to reconnect (op 7), as Discord does before moving a session. */
  requestReconnect(): void {
    this.socket?.send(JSON.stringify({ op: 7, d: null }));
  }

  /** Drops the connection without a close frame, like a network failure. */
  dropSocket(): void {
    this.socket?.terminate();
    this.socket = null;
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

  private gatewayInfo(): Json {
    return {
      url: this.gatewayUrl('/gateway'),
      shards: 1,
      session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 },
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
      guild_id: this.guildId,
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
      if (this.socket === ws) this.socket = null;
    });
  }

  private identify(ws: WebSocket, d: Json): void {
    if (d.token !== this.token) {
      ws.close(4004, 'Authentication failed.');
      return;
    }
    this.socket = ws;
    this.dispatch('READY', {
      v: 10,
      user: this.botUser,
      guilds: [{ id: this.guildId, unavailable: true }],
      session_id: this.sessionId,
      resume_gateway_url: this.gatewayUrl('/resume'),
      shard: [0, 1],
      application: { id: this.applicationId, flags: 0 },
    });
    this.dispatch('GUILD_CREATE', this.guild());
  }

  private resume(ws: WebSocket, d: Json & { seq?: number }): void {
    if (d.token !== this.token || d.session_id !== this.sessionId) {
      ws.send(JSON.stringify({ op: 9, d: false }));
      return;
    }
    this.socket = ws;
    for (const { s, frame } of this.sent) if (s > (d.seq ?? 0)) ws.send(frame);
    this.dispatch('RESUMED', null);
  }

  private guild(): Json {
    const everyone = { id: this.guildId, name: '@everyone', permissions: '1024', position: 0, color: 0, hoist: false, managed: false, mentionable: false, flags: 0 };
    return {
      id: this.guildId,
      name: 'Test guild',
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
      channels: this.channelIds.map((id, i) => ({ id, type: 0, name: `channel-${i}`, guild_id: this.guildId, position: i, permission_overwrites: [] })),
      threads: [],
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
