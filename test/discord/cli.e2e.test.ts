/**
 * The acceptance path as an admin runs it, against the local Discord-compatible
 * server: `citebot deploy` (in-process, through `main`), then `citebot serve` as a
 * real process, running until it is sent SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, citebot, offlineEnv, seedWorkspace } from '../helpers/cli.js';
import { TOKEN } from '../helpers/discord-harness.js';
import { member, sendInteraction, slashData, userMessage } from '../helpers/discord-payloads.js';
import { FakeDiscord } from './fake-discord.js';

let discord: FakeDiscord;
let ws: Awaited<ReturnType<typeof seedWorkspace>>;
let serve: ChildProcess | null = null;
let serveLog = '';

function botEnv(): NodeJS.ProcessEnv {
  return offlineEnv({
    DISCORD_TOKEN: TOKEN,
    DISCORD_APPLICATION_ID: discord.applicationId,
    DISCORD_GUILD_ID: discord.guildId,
    DISCORD_API_URL: discord.apiUrl,
    DOCS_DIR: ws.docs,
    INDEX_DIR: ws.index,
    COOLDOWN_SECONDS: '0',
    FEEDBACK_FILE: `${ws.dir}/feedback.jsonl`,
  });
}

beforeAll(async () => {
  ws = await seedWorkspace();
  discord = await FakeDiscord.start({ token: TOKEN });
});

afterAll(async () => {
  // Stop the bot before the server, or it reconnects forever.
  if (serve && serve.exitCode === null) {
    const exited = new Promise((resolve) => serve!.once('exit', resolve));
    serve.kill('SIGTERM');
    await exited;
  }
  await discord.close();
  await ws.cleanup();
});

describe('citebot deploy', () => {
  it('registers the six slash commands and the Find sources message command in the guild', async () => {
    const result = await citebot(['deploy'], { env: botEnv() });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Registered 7 commands in guild \d+/);
    const names = discord.commands.guild.map((c) => `${c.name}:${c.type ?? 1}`).sort();
    expect(names).toEqual(['Find sources:3', 'ask:1', 'help:1', 'reindex:1', 'search:1', 'source:1', 'stats:1']);
  });
});

describe('citebot serve', () => {
  beforeAll(async () => {
    serve = spawn(process.execPath, [BIN, 'serve'], { env: botEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    serve.stdout!.on('data', (d: Buffer) => (serveLog += d.toString()));
    serve.stderr!.on('data', (d: Buffer) => (serveLog += d.toString()));
    await discord.waitUntil(() => (/logged in as/.test(serveLog) ? true : null), 20_000);
  });

  it('answers an injected /ask with a deferred reply quoting the Marco Rubio paragraph', async () => {
    const sent = sendInteraction(discord, 2, slashData('ask', [['question', 'Who led the American team in Riyadh?']]), member('ann'), discord.channelIds[0]!);
    const callback = await discord.waitFor((r) => r.method === 'POST' && r.path === `/interactions/${sent.id}/${sent.token}/callback`);
    expect(callback.body.type).toBe(5); // deferred
    const edit = await discord.waitFor((r) => r.method === 'PATCH' && r.path.endsWith(`/${sent.token}/messages/@original`));
    // Markdown escapes (`000\_23d5…`) are the renderer's; the user sees the plain name.
    const shown = JSON.stringify(edit.body.embeds).replace(/\\\\/g, '');
    expect(shown).toContain('A Trump administration team led by Secretary of State Marco Rubio');
    expect(shown).toContain('000_23d5e4e5b37788fb.txt');
    expect(edit.body.allowed_mentions?.parse).toEqual([]);
  });

  it('replies to a mention with the "first step of a long and difficult journey" paragraph, pinging no one', async () => {
    const message = userMessage(discord, `<@${discord.botId}> What did Rubio call the first step of a long journey?`, member('bo'), {
      mentions: [discord.botUser],
    });
    discord.dispatch('MESSAGE_CREATE', message);
    const reply = await discord.waitFor(
      (r) => r.method === 'POST' && /^\/channels\/\d+\/messages$/.test(r.path) && r.body?.message_reference?.message_id === message.id,
    );
    expect(JSON.stringify(reply.body)).toMatch(/first step of a long and difficult journey/);
    expect(reply.body.allowed_mentions?.parse).toEqual([]);
  });

  it('never logs the token and uses no unknown routes', () => {
    expect(serveLog).not.toContain(TOKEN);
    expect(discord.unknownRoutes).toEqual([]);
  });
});
