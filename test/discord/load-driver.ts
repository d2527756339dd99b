/**
 * The Discord side of `npm run load`, in its own process so that its work does
 * not count against the bot's event loop or heap: a FakeDiscord that plays
 * users sending /ask, timing each interaction from dispatch to the deferral
 * and to the edited answer. Talks to scripts/load.ts over IPC.
 */
import { FakeDiscord, type RecordedRequest } from './fake-discord.js';
import { member, sendInteraction, slashData, type Member } from '../helpers/discord-payloads.js';

export type DriverRequest =
  | { kind: 'start'; token: string; shards: number }
  | { kind: 'run'; count: number; users: number; windowMs: number; questions: string[]; timeoutMs: number }
  | { kind: 'stop' };

export type DriverReply =
  | { kind: 'listening'; apiUrl: string; applicationId: string; guildId: string }
  | { kind: 'done'; results: Timing[]; unknownRoutes: string[]; rejected: number };

/** One interaction: milliseconds from dispatch to deferral and to the answer (null if never). */
export interface Timing {
  deferMs: number | null;
  deferred: boolean;
  answerMs: number | null;
  quoted: boolean;
}

let discord: FakeDiscord | null = null;

process.on('message', (message: DriverRequest) => void handle(message));

async function handle(message: DriverRequest): Promise<void> {
  if (message.kind === 'start') {
    discord = await FakeDiscord.start({ token: message.token, shards: message.shards });
    send({ kind: 'listening', apiUrl: discord.apiUrl, applicationId: discord.applicationId, guildId: discord.guildId });
  } else if (message.kind === 'run' && discord) {
    const results = await run(discord, message);
    send({ kind: 'done', results, unknownRoutes: discord.unknownRoutes, rejected: discord.rejected.length });
  } else if (message.kind === 'stop') {
    await discord?.close();
    process.disconnect?.();
  }
}

function send(reply: DriverReply): void {
  process.send?.(reply);
}

/** Sends `count` /ask interactions from `users` users spread evenly over `windowMs`, and over every shard's guild in turn. */
function run(discord: FakeDiscord, plan: Extract<DriverRequest, { kind: 'run' }>): Promise<Timing[]> {
  const users: Member[] = Array.from({ length: plan.users }, (_, i) => member(`user${i}`));
  const channels = discord.guildIds.map((guild) => discord.guildChannels.get(guild)![0]!);
  const pending = new Map<string, { sentAt: number; timing: Timing }>();
  const timings: Timing[] = [];
  return new Promise((resolve) => {
    const finish = () => {
      clearTimeout(timeout);
      discord.onRequest = null;
      resolve(timings);
    };
    const timeout = setTimeout(finish, plan.windowMs + plan.timeoutMs);
    let answered = 0;
    discord.onRequest = (r: RecordedRequest) => {
      const token = /\/(?:interactions\/\d+|webhooks\/\d+)\/([^/]+)/.exec(r.path)?.[1];
      const entry = token ? pending.get(token) : undefined;
      if (!entry) return;
      if (r.path.endsWith('/callback')) {
        entry.timing.deferMs = r.at - entry.sentAt;
        entry.timing.deferred = r.body?.type === 5;
      } else if (r.method === 'PATCH' && r.status < 300) {
        entry.timing.answerMs = r.at - entry.sentAt;
        entry.timing.quoted = typeof r.body?.embeds?.[0]?.description === 'string';
        answered += 1;
        if (answered === plan.count) finish();
      }
    };
    for (let i = 0; i < plan.count; i++) {
      setTimeout(() => {
        const question = plan.questions[i % plan.questions.length]!;
        const sentAt = performance.now();
        const sent = sendInteraction(discord, 2, slashData('ask', [['question', question]]), users[i % users.length]!, channels[i % channels.length]!);
        const timing: Timing = { deferMs: null, deferred: false, answerMs: null, quoted: false };
        timings.push(timing);
        pending.set(sent.token, { sentAt, timing });
      }, (i * plan.windowMs) / plan.count);
    }
  });
}
