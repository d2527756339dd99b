/**
 * `citebot serve --shards auto --watch` as an admin runs it: a real process
 * (the ShardingManager) with two shard processes against the fake Discord,
 * which recommends 2 shards and routes each guild's events to its shard.
 * Each shard answers its own guild from the same index; the cooldown and the
 * votes are right across shards; /reindex on one shard and --watch reach both.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, offlineEnv, seedWorkspace } from '../helpers/cli.js';
import { TOKEN } from '../helpers/discord-harness.js';
import { member, sendInteraction, slashData, type Member, type Sent } from '../helpers/discord-payloads.js';
import { FakeDiscord, type RecordedRequest } from './fake-discord.js';

const HARBOUR = 'The harbour master rings the brass bell at dawn to open the quay for the fishing boats.';
const ORCHARD = 'The orchard keeper prunes the pear trees every February before the sap rises.';
/** Starting three processes (tsx, discord.js, the index) takes a while on a loaded machine. */
const START_MS = 150_000;

let discord: FakeDiscord;
let ws: Awaited<ReturnType<typeof seedWorkspace>>;
let serve: ChildProcess | null = null;
let output = '';
let guilds: [string, string];
let channels: [string, string];

beforeAll(async () => {
  ws = await seedWorkspace();
  discord = await FakeDiscord.start({ token: TOKEN, shards: 2 });
  guilds = discord.guildIds as [string, string];
  channels = [discord.guildChannels.get(guilds[0])![0]!, discord.guildChannels.get(guilds[1])![0]!];
  const env = offlineEnv({
    DISCORD_TOKEN: TOKEN,
    DISCORD_APPLICATION_ID: discord.applicationId,
    DISCORD_API_URL: discord.apiUrl,
    DOCS_DIR: ws.docs,
    INDEX_DIR: ws.index,
    COOLDOWN_SECONDS: '30',
    FEEDBACK_FILE: path.join(ws.dir, 'feedback.jsonl'),
  });
  serve = spawn(process.execPath, [BIN, 'serve', '--shards', 'auto', '--watch'], { cwd: ws.dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  serve.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  serve.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  await discord.waitUntil(() => (/2 shards ready/.test(output) ? true : null), START_MS);
}, START_MS + 10_000);

afterAll(async () => {
  // Stop the bot before the server, or its shards reconnect forever.
  if (serve && serve.exitCode === null) {
    const exited = new Promise((resolve) => serve!.once('exit', resolve));
    serve.kill('SIGTERM');
    await exited;
  }
  await discord?.close();
  await ws?.cleanup();
}, 60_000);

function command(guild: 0 | 1, by: Member, name: string, options: Array<[string, string | number]> = []): Sent {
  return sendInteraction(discord, 2, slashData(name, options), by, channels[guild]);
}

async function reply(sent: Sent): Promise<RecordedRequest['body']> {
  const callback = await discord.waitFor((r) => r.method === 'POST' && r.path === `/interactions/${sent.id}/${sent.token}/callback`, 30_000);
  if (callback.body.type !== 5) return callback.body.data;
  // After a deferral: the edited answer, or a private follow-up (a refusal that came after the deferral).
  const hook = `/webhooks/${discord.applicationId}/${sent.token}`;
  const edit = await discord.waitFor((r) => r.status < 300 && ((r.method === 'PATCH' && r.path === `${hook}/messages/@original`) || (r.method === 'POST' && r.path === hook)), 30_000);
  return edit.body;
}

const shown = (body: RecordedRequest['body']): string => String(body.embeds?.[0]?.description ?? body.content ?? '').replace(/\\(.)/g, '$1');
const reloads = () => output.match(/reloaded the index/g)?.length ?? 0;

describe('two shards', () => {
  it('--shards auto takes Discord\'s recommendation: each shard IDENTIFYs with shard [i, 2]', () => {
    const identifies = discord.gatewayFrames.filter((f) => f.op === 2).map((f) => (f.d as { shard: [number, number] }).shard);
    expect(identifies.sort()).toEqual([[0, 2], [1, 2]]);
    expect(discord.shardOf(guilds[0])).toBe(0);
    expect(discord.shardOf(guilds[1])).toBe(1);
  });

  it('each shard answers its own guild from the same index', async () => {
    for (const guild of [0, 1] as const) {
      const body = await reply(command(guild, member(`asker-${guild}`), 'ask', [['question', 'Who led the American team in Riyadh?']]));
      expect(shown(body)).toContain('Marco Rubio');
    }
  }, 60_000);

  it('the cooldown follows a member from one shard\'s guild to the other\'s', async () => {
    const ann = member('ann');
    expect(shown(await reply(command(0, ann, 'ask', [['question', 'Who is Zelensky?']])))).toContain('Zelensky');
    const second = await reply(command(1, ann, 'search', [['query', 'Zelensky']]));
    expect(second.content).toMatch(/^Please wait (30|29|28) s before asking again\.$/);
  }, 60_000);

  it('votes from both shards go to one file, one per member per answer', async () => {
    const voters = [member('bo'), member('cy')];
    for (const guild of [0, 1] as const) {
      const sent = command(guild, voters[guild]!, 'ask', [['question', 'What did Rubio say about the first step?']]);
      const answer = await reply(sent);
      // The answer message as Discord would attach it to a click in that guild.
      const message = { ...discord.messageObject(channels[guild], answer), guild_id: guilds[guild] };
      const up = answer.components[0].components.find((c: { emoji?: { name: string } }) => c.emoji?.name === '👍').custom_id;
      const down = answer.components[0].components.find((c: { emoji?: { name: string } }) => c.emoji?.name === '👎').custom_id;
      const click = (id: string) => reply(sendInteraction(discord, 3, { custom_id: id, component_type: 2 }, voters[guild]!, channels[guild], { message }));
      expect((await click(up)).content).toBe('Thanks, your 👍 was recorded.');
      expect((await click(down)).content).toBe('Your vote on this answer is now 👎.');
    }
    const lines = (await readFile(path.join(ws.dir, 'feedback.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.userId, l.vote])).toEqual(voters.map((v) => [v.id, 'down']));
  }, 90_000);

  it('/reindex on one shard reaches the other', async () => {
    await writeFile(path.join(ws.docs, 'harbour.txt'), `${HARBOUR}\n`);
    const before = reloads();
    const done = await reply(command(0, member('admin', true), 'reindex'));
    expect(done.content).toMatch(/^Indexed 2 files/);
    await discord.waitUntil(() => (/shard 0 re-indexed/.test(output) && reloads() > before ? true : null), 30_000);
    expect(shown(await reply(command(1, member('dee'), 'ask', [['question', 'Who rings the brass bell at dawn?']])))).toContain(HARBOUR);
  }, 90_000);

  it('--watch reaches every shard', async () => {
    const before = reloads();
    await writeFile(path.join(ws.docs, 'orchard.txt'), `${ORCHARD}\n`);
    await discord.waitUntil(() => (reloads() >= before + 2 ? true : null), 60_000);
    for (const guild of [0, 1] as const) {
      expect(shown(await reply(command(guild, member(`eve-${guild}`), 'ask', [['question', 'When does the orchard keeper prune the pear trees?']])))).toContain(ORCHARD);
    }
  }, 120_000);

  it('never printed the token, and used only known routes', () => {
    expect(output).not.toContain(TOKEN);
    expect(discord.unknownRoutes).toEqual([]);
    expect(discord.rejected).toEqual([]);
  });
});
