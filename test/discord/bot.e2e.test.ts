/**
 * The bot end to end: the real discord.js client against the fake Discord
 * server, the real library over a temp copy of seeds/ (keyword mode). One
 * client and server for the whole file.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployCommands } from '../../src/bot/deploy.js';
import { LIMITS } from '../../src/bot/ui/limits.js';
import { faulty, type Faults } from '../helpers/discord-faults.js';
import { Harness, TOKEN, unescape, type BotReply } from '../helpers/discord-harness.js';

const SEED = '000_23d5e4e5b37788fb.txt';
const SEED_DOC = `Trump administration, Russia hold talks on ending Ukraine… (${SEED})`;
const EPHEMERAL = 64;
const RUBIO_TEAM = 'A Trump administration team led by Secretary of State Marco Rubio sat down Tuesday for four hours';
const RUBIO_JOURNEY = '“Today is the first step of a long and difficult journey, but an important one,” Rubio told reporters';
const NOTICE = 'Attention @everyone and @here: the lighthouse inspection with <@123456789012345678> and <@&223456789012345678> moves to <#323456789012345678>.';
const GIANT = Array.from({ length: 400 }, (_, i) => `Glacier number ${i} crept ${i * 3} metres toward the fjord while the ice cores recorded ${i + 7} layers.`).join(' ');

const faults: Faults = { ask: false, stats: false };
let h: Harness;

beforeAll(async () => {
  h = await Harness.start({
    docs: { 'lighthouse.md': `# Lighthouse notice\n\n${NOTICE} Keepers bring lanterns.\n`, 'glaciers.txt': `${GIANT}\n` },
    env: { SOURCE_BASE_URL: 'https://docs.example.org/tree/main', DEBUG: 'true' },
    wrap: (library) => faulty(library, faults),
  });
});

afterAll(async () => {
  await h?.close();
});

const description = (reply: BotReply) => unescape(reply.body.embeds?.[0]?.description);

describe('login and registration', () => {
  it('logs in through the local API: gateway URL from GET /gateway/bot, IDENTIFY with Guilds + GuildMessages only', () => {
    expect(h.discord.requests.some((r) => r.method === 'GET' && r.path === '/gateway/bot')).toBe(true);
    const identify = h.discord.gatewayFrames.find((f) => f.op === 2);
    expect(identify?.path).toBe('/gateway');
    expect((identify?.d as { intents: number }).intents).toBe(1 | 512);
    expect(h.bot.client.user.id).toBe(h.discord.botId);
  });

  it('deploys all commands to the guild when DISCORD_GUILD_ID is set, and globally otherwise', async () => {
    const names = ['ask', 'search', 'source', 'stats', 'reindex', 'help', 'Find sources'];
    expect(await deployCommands(h.config)).toEqual({ scope: 'guild', names });
    expect(await deployCommands({ ...h.config, discord: { ...h.config.discord, guildId: null } })).toEqual({ scope: 'global', names });
    const byName = new Map(h.discord.commands.guild.map((c) => [c.name, c]));
    expect(byName.get('reindex')?.default_member_permissions).toBe('32');
    expect(byName.get('Find sources')?.type).toBe(3);
    expect((byName.get('source')?.options as Array<{ autocomplete?: boolean }>)[0]?.autocomplete).toBe(true);
  });
});

describe('/ask', () => {
  it('defers at once, then edits in the Rubio paragraph verbatim with its source, pinging no one', async () => {
    const sent = h.command('ask', [['question', 'Who led the American team in Riyadh?']], h.member('ann'));
    const defer = await h.callback(sent);
    expect(defer.body.type).toBe(5);
    const reply = await h.reply(sent);
    expect(reply.via).toBe('edit');
    expect(reply.request.at).toBeGreaterThan(defer.at);
    expect(description(reply)).toContain(RUBIO_TEAM);
    expect(description(reply)).toContain(`— [${SEED_DOC} › ¶4 · line 5](https://docs.example.org/tree/main/${SEED}#L5)`);
    expect(reply.body.allowed_mentions?.parse).toEqual([]);
    expect(reply.body.components?.[0]?.components.map((c: { label?: string; emoji?: { name: string } }) => c.label ?? c.emoji?.name)).toEqual(['More results', '👍', '👎']);
  });

  it('says plainly when the documents do not cover the question, quoting nothing', async () => {
    const reply = await h.reply(h.command('ask', [['question', 'What is the boiling point of tungsten?']], h.member('bo')));
    expect(description(reply)).toMatch(/documents don't cover this/);
    expect(description(reply)).not.toMatch(/^>/m);
  });

  it('"More results" shows the next passages to the clicker only', async () => {
    const asker = h.member('cy');
    const first = await h.reply(h.command('ask', [['question', 'What did Trump say about Putin and Ukraine?']], asker));
    const more = first.body.components?.[0]?.components[0]?.custom_id as string;
    const sent = h.click(more, h.messageOf(first), asker);
    const defer = await h.callback(sent);
    expect(defer.body).toMatchObject({ type: 5, data: { flags: EPHEMERAL } });
    const page = await h.reply(sent);
    expect(page.body.embeds?.[0]?.footer?.text).toMatch(/passages 4–6$/);
    expect(description(page)).toMatch(/^Further passages/);
    const firstIds = [...(description(first).matchAll(/¶(\d+)/g))].map((m) => m[1]);
    const nextIds = [...(description(page).matchAll(/¶(\d+)/g))].map((m) => m[1]);
    expect(nextIds.filter((id) => firstIds.includes(id))).toEqual([]);
  });

  it.each([
    ['up', '👍'],
    ['down', '👎'],
  ])('the %s button appends the vote to the feedback JSONL file', async (vote, emoji) => {
    const voter = h.member(`voter-${vote}`);
    const question = `What did Rubio say about the ${vote} talks?`;
    const answer = await h.reply(h.command('ask', [['question', question]], voter));
    const button = answer.body.components?.[0]?.components.find((c: { emoji?: { name: string } }) => c.emoji?.name === emoji);
    const thanks = await h.reply(h.click(button.custom_id, h.messageOf(answer), voter));
    expect(thanks.body.flags).toBe(EPHEMERAL);
    const lines = (await readFile(h.config.feedbackFile, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    const entry = lines.find((l) => l.userId === voter.id);
    expect(entry).toMatchObject({ vote, question, userId: voter.id });
    expect(entry.passages.length).toBeGreaterThan(0);
    expect(entry.passages[0]).toMatch(new RegExp(`^${SEED}#\\d+`));
    expect(Date.parse(entry.time)).not.toBeNaN();
  });

  it('an expired or unknown button gets a clear ephemeral notice', async () => {
    const message = h.discord.messageObject(h.discord.channelIds[0]!, { content: 'old answer' });
    const reply = await h.reply(h.click('cb1:more:gone12345', message, h.member('dee')));
    expect(reply.body.flags).toBe(EPHEMERAL);
    expect(reply.body.content).toMatch(/expired/);
  });
});

describe('mentions', () => {
  it('answers "<@bot> question" with a reply quoting Rubio, with no pings', async () => {
    const id = h.say(`<@${h.discord.botId}> What did Rubio call the first step of a long journey?`, h.member('eve'));
    const reply = await h.replyTo(id);
    expect(unescape(reply.body.embeds[0].description)).toContain(RUBIO_JOURNEY);
    expect(reply.body.allowed_mentions).toMatchObject({ parse: [], replied_user: false });
  });

  it('ignores bots and messages that do not mention it', async () => {
    const fromBot = h.say(`<@${h.discord.botId}> Who led the American team?`, h.member('robot'), { bot: true });
    const noMention = h.say('Who led the American team?', h.member('fay'), { mentionsBot: false });
    const sentinel = h.say(`<@${h.discord.botId}> Who is Zelensky?`, h.member('gus'));
    await h.replyTo(sentinel);
    const repliedTo = h.discord.requests.map((r) => r.body?.message_reference?.message_id);
    expect(repliedTo).not.toContain(fromBot);
    expect(repliedTo).not.toContain(noMention);
  });
});

describe('/search, /source, Find sources, /stats, /help', () => {
  it('/search lists short snippets, each with its source', async () => {
    const reply = await h.reply(h.command('search', [['query', 'Zelensky Ukraine']], h.member('hal')));
    const text = description(reply);
    const entries = text.split('\n\n');
    expect(entries.length).toBeGreaterThanOrEqual(3);
    for (const entry of entries) {
      expect(entry).toMatch(/^\*\*\d+\.\*\*\n> /);
      expect(entry).toMatch(/\n— \[.+ › ¶\d+ · lines? \d+(–\d+)?\]\(https:\/\/docs\.example\.org\//);
      expect(entry.length).toBeLessThan(600);
    }
  });

  it('/source autocomplete offers matching indexed files, at most 25', async () => {
    const glacier = await h.callback(h.autocomplete('source', 'file', 'glac', h.member('ida')));
    expect(glacier.body).toEqual({ type: 8, data: { choices: [{ name: 'glaciers.txt', value: 'glaciers.txt' }] } });
    const all = await h.callback(h.autocomplete('source', 'file', '', h.member('ida')));
    expect(all.body.data.choices.map((c: { value: string }) => c.value)).toEqual([SEED, 'glaciers.txt', 'lighthouse.md']);
  });

  it('/source shows the paragraph between its neighbours', async () => {
    const rubio = h.library.paragraph(SEED, 6)[0]!;
    expect(rubio.text).toContain(RUBIO_JOURNEY);
    const reply = await h.reply(h.command('source', [['file', SEED], ['paragraph', 6]], h.member('jo')));
    const text = description(reply);
    expect(text).toMatch(/^\[.*¶5 · line 6\]/);
    expect(text).toContain(`▶ [${SEED_DOC} › ¶6 · line 7]`);
    expect(text).toContain(`> ${rubio.text}`);
    expect(text).toMatch(/¶7 · line 8/);
    expect(reply.body.flags ?? 0).toBe(0);
  });

  it.each([
    ['../.env', /not a file name from the index/],
    ['/etc/passwd', /not a file name from the index/],
    ['%2e%2e/%2e%2e/etc/passwd', /not a file name from the index/],
    ['..\\..\\secrets.txt', /not a file name from the index/],
    ['docs/../../x', /not a file name from the index/],
    ['missing.txt', /No indexed file is called "missing.txt"/],
  ])('/source file:%s gets a clear ephemeral error', async (file, message) => {
    const reply = await h.reply(h.command('source', [['file', file], ['paragraph', 1]], h.member('kim')));
    expect(reply.body.flags).toBe(EPHEMERAL);
    expect(reply.body.content).toMatch(message);
    expect(reply.body.embeds ?? []).toEqual([]);
  });

  it('/source with a paragraph out of range says which exist', async () => {
    const reply = await h.reply(h.command('source', [['file', SEED], ['paragraph', 999]], h.member('kim')));
    expect(reply.body).toMatchObject({ flags: EPHEMERAL, content: `${SEED} has paragraphs 1–36; there is no ¶999.` });
  });

  it('"Find sources" answers with the passages about the target message', async () => {
    const sent = h.findSources('Rubio said this was the first step of a long and difficult journey', h.member('lou'));
    expect((await h.callback(sent)).body.type).toBe(5);
    const reply = await h.reply(sent);
    expect(description(reply)).toContain(RUBIO_JOURNEY);
    expect(reply.body.allowed_mentions?.parse).toEqual([]);
  });

  it('/stats reports documents, passages, mode, build time, uptime and questions', async () => {
    const reply = await h.reply(h.command('stats', [], h.member('max')));
    const fields = Object.fromEntries((reply.body.embeds?.[0] as { fields: Array<{ name: string; value: string }> }).fields.map((f) => [f.name, f.value]));
    expect(fields).toMatchObject({ Documents: '3', Passages: String(h.library.stats().passages), Mode: 'keyword' });
    expect(fields['Index built']).toMatch(/^<t:\d+:R>$/);
    expect(fields['Questions answered']).toMatch(/^\d+ of \d+$/);
  });

  it('/help explains the commands, privately', async () => {
    const reply = await h.reply(h.command('help', [], h.member('ned')));
    expect(reply.body.flags).toBe(EPHEMERAL);
    expect(reply.body.embeds?.[0]?.description).toMatch(/\/ask.*\n.*\/search.*\n.*\/source/);
  });
});

describe('/reindex', () => {
  it('is refused server-side for a member without Manage Server, even if a server exposed it', async () => {
    const before = h.library.stats().generation;
    const reply = await h.reply(h.command('reindex', [], h.member('oli')));
    expect(reply.body).toMatchObject({ flags: EPHEMERAL, content: expect.stringMatching(/Manage Server/) });
    expect(h.library.stats().generation).toBe(before);
  });

  it('reindexes for an admin and replies with the summary', async () => {
    const reply = await h.reply(h.command('reindex', [], h.member('pat', true)));
    expect(reply.body.content).toMatch(/^Indexed 3 files, \d+ passages \(0 new, 0 changed, 0 removed\) in keyword mode in [\d.]+ s\.$/);
  });
});

describe('safety and limits', () => {
  it('quotes a document full of @everyone and mentions without pinging or rendering them', async () => {
    const reply = await h.reply(h.command('ask', [['question', 'When does the lighthouse inspection move?']], h.member('quin')));
    const raw = reply.body.embeds?.[0]?.description ?? '';
    expect(unescape(raw)).toContain(NOTICE);
    expect(raw).not.toMatch(/@(everyone|here)/);
    expect(raw).not.toMatch(/(^|[^\\])<[@#]/);
    expect(reply.body.allowed_mentions?.parse).toEqual([]);
  });

  it('keeps an oversized paragraph within Discord limits in /ask and /source', async () => {
    const asked = await h.reply(h.command('ask', [['question', 'What did the ice cores record about glacier number 12?']], h.member('ray')));
    const shown = await h.reply(h.command('source', [['file', 'glaciers.txt'], ['paragraph', 1]], h.member('ray')));
    for (const reply of [asked, shown]) {
      expect(reply.request.status).toBeLessThan(300);
      expect(reply.body.embeds?.[0]?.description?.length).toBeLessThanOrEqual(LIMITS.description);
      expect(description(reply)).toMatch(/\(glaciers\.txt\) › ¶1 /);
    }
    expect(h.library.paragraph('glaciers.txt', 1).map((p) => p.text).join(' ').length).toBeGreaterThan(LIMITS.description * 2);
    expect(h.discord.rejected).toEqual([]);
  });
});

describe('failures', () => {
  it('a handler that throws before replying becomes an ephemeral error, logged with its stack', async () => {
    faults.stats = true;
    const reply = await h.reply(h.command('stats', [], h.member('sam'))).finally(() => (faults.stats = false));
    expect(reply.body).toMatchObject({ flags: EPHEMERAL, content: expect.stringMatching(/^Something went wrong/) });
    expect(h.logs.join('\n')).toMatch(/error \/stats by \d+ failed: TypeError: stats exploded\n\s+at /);
  });

  it('a handler that throws after deferring replaces the public "thinking" with a private error', async () => {
    faults.ask = true;
    const sent = h.command('ask', [['question', 'Who led the American team?']], h.member('tia'));
    const reply = await h.reply(sent).finally(() => (faults.ask = false));
    expect(reply.via).toBe('followup');
    expect(reply.body).toMatchObject({ flags: EPHEMERAL, content: expect.stringMatching(/^Something went wrong/) });
    expect(h.discord.requests.some((r) => r.method === 'DELETE' && r.path.includes(sent.token))).toBe(true);
    const after = await h.reply(h.command('ask', [['question', 'Who led the American team in Riyadh?']], h.member('tia')));
    expect(description(after)).toContain(RUBIO_TEAM);
  });

  it('retries a REST 429 after Retry-After and still delivers the answer', async () => {
    h.discord.rateLimitOnce('PATCH', /\/messages\/@original$/, 1);
    const sent = h.command('ask', [['question', 'Who led the American team in Riyadh?']], h.member('uma'));
    const reply = await h.reply(sent);
    const edits = h.discord.requests.filter((r) => r.method === 'PATCH' && r.path.includes(sent.token));
    expect(edits.map((r) => r.status)).toEqual([429, 200]);
    expect(edits[1]!.at - edits[0]!.at).toBeGreaterThanOrEqual(900);
    expect(description(reply)).toContain(RUBIO_TEAM);
    expect(h.logs.join('\n')).toMatch(/Encountered unexpected 429 rate limit/);
  });

  it('a failed mention reply is logged and the bot keeps serving', async () => {
    // 400s, not 500s: discord.js retries server errors itself.
    for (let i = 0; i < 2; i++) h.discord.inject('POST', /^\/channels\/\d+\/messages$/, 400, { message: `upstream failed for Bot ${TOKEN}`, code: 0 });
    h.say(`<@${h.discord.botId}> Who led the American team in Riyadh?`, h.member('vic'));
    await h.discord.waitUntil(() => (h.logs.some((l) => l.includes('could not send the error reply')) ? true : null), 15_000);
    const after = await h.reply(h.command('help', [], h.member('vic')));
    expect(after.body.flags).toBe(EPHEMERAL);
  });
});

describe('gateway', () => {
  it('survives a RECONNECT (op 7) by resuming on resume_gateway_url', async () => {
    const resumes = h.discord.gatewayFrames.filter((f) => f.op === 6).length;
    h.discord.requestReconnect();
    await h.discord.waitUntil(() => (h.discord.gatewayFrames.filter((f) => f.op === 6).length > resumes ? true : null));
    expect(h.discord.gatewayFrames.filter((f) => f.op === 6).at(-1)?.path).toBe('/resume');
    const reply = await h.reply(h.command('ask', [['question', 'Who led the American team in Riyadh?']], h.member('wes')));
    expect(description(reply)).toContain(RUBIO_TEAM);
  });

  it('resumes after a dropped socket and gets the events it missed replayed', async () => {
    const resumes = h.discord.gatewayFrames.filter((f) => f.op === 6).length;
    h.discord.dropSocket();
    const sent = h.command('ask', [['question', 'Who led the American team in Riyadh?']], h.member('xia'));
    const reply = await h.reply(sent);
    expect(h.discord.gatewayFrames.filter((f) => f.op === 6).length).toBe(resumes + 1);
    expect(h.discord.gatewayFrames.filter((f) => f.op === 2)).toHaveLength(1);
    expect(description(reply)).toContain(RUBIO_TEAM);
  });
});

describe('hygiene', () => {
  it('never logs the token, even when an error message or debug line carries it', () => {
    const logs = h.logs.join('\n');
    expect(logs).toMatch(/upstream failed for Bot \[redacted\]/);
    expect(logs).toMatch(/Provided token: \[redacted\]/);
    for (const secret of [TOKEN, ...TOKEN.split('.')]) expect(logs).not.toContain(secret);
    expect(logs).toMatch(/\d{15,21}\/\[redacted\]/);
    expect(logs).not.toMatch(/interaction-token-\d+/);
  });

  it('used only routes the fake server knows, and never broke a Discord limit', () => {
    expect(h.discord.unknownRoutes).toEqual([]);
    expect(h.discord.rejected).toEqual([]);
  });
});
