/**
 * `citebot serve --watch` as an admin runs it, a real process against the fake
 * Discord server, with a model that fails to load: the bot falls back to
 * keyword mode and says why in /stats, and keeps its index in step with a docs
 * folder that is edited while it serves.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, offlineEnv, seedWorkspace } from '../helpers/cli.js';
import { TOKEN } from '../helpers/discord-harness.js';
import { member, sendInteraction, slashData, type Sent } from '../helpers/discord-payloads.js';
import { FakeDiscord, type RecordedRequest } from '../discord/fake-discord.js';
import { writeTinyModel } from '../fixtures/tiny-model.mjs';

const MODEL = 'citebot-test/tiny-bert';
const LIGHTHOUSE = 'The lighthouse keeper polishes the great lens every evening before lighting the lamp.';
const BAKERY = 'The baker fires the stone oven at four every morning to bake rye loaves.';

let discord: FakeDiscord;
let ws: Awaited<ReturnType<typeof seedWorkspace>>;
let serve: ChildProcess | null = null;
let output = '';

beforeAll(async () => {
  ws = await seedWorkspace();
  await writeFile(path.join(ws.docs, 'lighthouse.md'), `# Lighthouse\n\n${LIGHTHOUSE}\n`);
  const modelsDir = path.join(ws.dir, 'models');
  const folder = await writeTinyModel(modelsDir, { name: MODEL });
  await writeFile(path.join(folder, 'onnx', 'model_quantized.onnx'), 'not a model: the download was cut short');
  discord = await FakeDiscord.start({ token: TOKEN });
  const env = offlineEnv({
    DISCORD_TOKEN: TOKEN,
    DISCORD_APPLICATION_ID: discord.applicationId,
    DISCORD_API_URL: discord.apiUrl,
    DOCS_DIR: ws.docs,
    INDEX_DIR: ws.index,
    MODELS_DIR: modelsDir,
    EMBEDDING_MODEL: MODEL,
    COOLDOWN_SECONDS: '0',
    FEEDBACK_FILE: path.join(ws.dir, 'feedback.jsonl'),
  });
  serve = spawn(process.execPath, [BIN, 'serve', '--watch'], { cwd: ws.dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  serve.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  serve.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  await discord.waitUntil(() => (/logged in as/.test(output) ? true : null), 30_000);
});

afterAll(async () => {
  // Stop the bot before the server, or it reconnects forever.
  if (serve && serve.exitCode === null) {
    const exited = new Promise((resolve) => serve!.once('exit', resolve));
    serve.kill('SIGTERM');
    await exited;
  }
  await discord?.close();
  await ws?.cleanup();
});

function command(name: string, options: Array<[string, string | number]> = []): Sent {
  return sendInteraction(discord, 2, slashData(name, options), member('ann'), discord.channelIds[0]!);
}

/** The message body the user finally sees: the immediate reply, or the edit after a defer. */
async function reply(sent: Sent): Promise<RecordedRequest['body']> {
  const callback = await discord.waitFor((r) => r.method === 'POST' && r.path === `/interactions/${sent.id}/${sent.token}/callback`);
  if (callback.body.type !== 5) return callback.body.data;
  // After a deferral: the edited answer, or a private follow-up (a refusal that came after the deferral).
  const hook = `/webhooks/${discord.applicationId}/${sent.token}`;
  const edit = await discord.waitFor((r) => r.status < 300 && ((r.method === 'PATCH' && r.path === `${hook}/messages/@original`) || (r.method === 'POST' && r.path === hook)));
  return edit.body;
}

const shown = (body: RecordedRequest['body']): string => String(body.embeds?.[0]?.description ?? body.content ?? '').replace(/\\(.)/g, '$1');

describe('a model that fails to load', () => {
  it('leaves the bot serving in keyword mode, saying so once at start-up and in /stats', async () => {
    const notices = output.split('\n').filter((line) => /keyword mode/i.test(line) && line.startsWith('citebot:'));
    expect(notices).toHaveLength(1);
    const body = await reply(command('stats'));
    const fields = Object.fromEntries((body.embeds[0].fields as Array<{ name: string; value: string }>).map((f) => [f.name, f.value]));
    expect(fields.Mode).toBe('keyword');
    expect(fields['Why keyword mode']).toMatch(/could not be loaded \(onnxruntime cannot read .*model\\?_quantized\.onnx/);
    expect(fields['Why keyword mode']).toMatch(/For semantic mode, /);
  });
});

describe('serve --watch', () => {
  it('re-indexes an added and a deleted file; the deleted one is never quoted or shown again', async () => {
    expect(shown(await reply(command('ask', [['question', 'Who polishes the great lens of the lighthouse?']])))).toContain(LIGHTHOUSE);
    const ingests = output.match(/^Indexed \d+ files?/gm)?.length ?? 0;
    await writeFile(path.join(ws.docs, 'bakery.txt'), `${BAKERY}\n`);
    await rm(path.join(ws.docs, 'lighthouse.md'));
    await discord.waitUntil(() => (/^Indexed 2 files, \d+ passages \(1 new, 0 changed, 1 removed\)/m.test(output) ? true : null), 20_000);
    expect(output.match(/^Indexed \d+ files?/gm)!.length).toBeGreaterThan(ingests);

    expect(shown(await reply(command('ask', [['question', 'When does the baker fire the stone oven?']])))).toContain(BAKERY);
    expect(shown(await reply(command('ask', [['question', 'Who polishes the great lens of the lighthouse?']])))).not.toContain('lighthouse.md');
    expect(shown(await reply(command('source', [['file', 'lighthouse.md'], ['paragraph', 1]])))).toMatch(/^No indexed file is called "lighthouse\.md"/);
  });

  it('never printed the token, and used only known routes', () => {
    expect(output).not.toContain(TOKEN);
    for (const part of TOKEN.split('.')) expect(output).not.toContain(part);
    expect(discord.unknownRoutes).toEqual([]);
    expect(discord.rejected).toEqual([]);
  });
});
