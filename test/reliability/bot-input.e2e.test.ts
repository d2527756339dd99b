/**
 * Members type anything, and documents contain anything: the question box
 * (through /ask, a mention and "Find sources"), /source path tricks,
 * symlinks and hidden files, and secrets that must never leave the bot.
 * The real discord.js client against the fake Discord server.
 */
import { symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness, TOKEN, unescape, type BotReply } from '../helpers/discord-harness.js';
import type { RecordedRequest } from '../discord/fake-discord.js';

const EPHEMERAL = 64;
const RUBIO = 'Secretary of State Marco Rubio';
const NOTICE = 'Attention @everyone and @here: the lighthouse drill with <@123456789012345678> and <@&223456789012345678> moves to <#323456789012345678>.';
const OUTSIDE_SECRET = 'OUTSIDE-SECRET-passphrase-swordfish-7731';
const ENV_SECRET = 'HIDDEN-ENV-SECRET-hunter2-9917';

/** Questions a member might type; `wordless` ones get a hint instead of a search. */
const QUESTIONS: Array<[name: string, question: string, wordless: boolean]> = [
  ['6,000 characters', 'Who led the American team in Riyadh? '.repeat(170).slice(0, 6000), false],
  ['6,000 characters of emoji', '😀'.repeat(3000), true],
  // 28 characters of words put a surrogate pair across the title's 256-character cut.
  ['words, then emoji, 6,000 characters in all', `Who led the team in Riyadh? ${'😀'.repeat(2986)}`, false],
  ['empty', '', true],
  ['only blanks', '   \n\t  ', true],
  ['only emoji', '🔥🎉🤔 👍🏽 🇺🇦', true],
  ['only markup', '**__~~||`` > # [](<>) ``` ***', true],
  ['mentions', '@everyone @here <@123456789012345678> <@!123456789012345678> <@&223456789012345678> <#323456789012345678> who led the American team in Riyadh?', false],
  ['only mentions', '@everyone <@123456789012345678> <@&223456789012345678>', false],
  ['zero-width and right-to-left marks', '\u202e\u200b\u2066Who led the American team in Riyadh?\u2069\u200f', false],
  ['NUL and control characters', 'Who\u0000 led\u0007 the American\u001b[2J team?', false],
];

let h: Harness;

beforeAll(async () => {
  h = await Harness.start({
    docs: { 'lighthouse.md': `# Lighthouse\n\n${NOTICE} Keepers bring lanterns.\n`, '.env': `DISCORD_TOKEN=${TOKEN}\nAPI_KEY=${ENV_SECRET}\n` },
    env: { DEBUG: 'true' },
  });
  const outside = path.join(h.dir, 'secret.txt');
  await writeFile(outside, `The passphrase is ${OUTSIDE_SECRET}. Keepers bring lanterns to the lighthouse.\n`);
  await symlink(outside, path.join(h.config.docsDir, 'escape.txt'));
  await symlink(h.dir, path.join(h.config.docsDir, 'up'));
  await symlink('lighthouse.md', path.join(h.config.docsDir, 'alias.md'));
  await h.library.reindex();
});

afterAll(async () => {
  await h?.close();
});

/** Every string in a request body, for checks that must hold wherever the text ends up. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** What no message from the bot may do: ping, render a mention, or carry malformed text. */
function expectHarmless(request: RecordedRequest): void {
  const body = request.body?.data ?? request.body;
  expect(request.status).toBeLessThan(300);
  expect(body.allowed_mentions?.parse).toEqual([]);
  for (const text of strings(body)) {
    expect(text).not.toMatch(/@(everyone|here)/);
    expect(text).not.toMatch(/(^|[^\\])<[@#]/);
    expect(text).not.toMatch(LONE_SURROGATE);
  }
}

/** An answer embed whose title echoes the question, escaped and at most 256 characters. */
function expectAnswer(reply: { body: BotReply['body'] }, question: string): void {
  const embed = reply.body.embeds?.[0];
  expect(embed?.description).toMatch(/\S/);
  expect(embed?.title?.length).toBeLessThanOrEqual(256);
  const noZwsp = (text: string) => text.replace(/\u200b/g, '');
  expect(noZwsp(question).startsWith(noZwsp(unescape(embed?.title)).replace(/…$/, ''))).toBe(true);
}

describe('the question box', () => {
  it.each(QUESTIONS)('/ask with %s gets a clear reply that pings no one', async (_name, question, wordless) => {
    const reply = await h.reply(h.command('ask', [['question', question]], h.member('ann')));
    expectHarmless(reply.request);
    if (wordless) {
      expect(reply).toMatchObject({ via: 'callback', body: { flags: EPHEMERAL, content: expect.stringMatching(/^Your question has no words to look up\. Ask in words/) } });
    } else {
      expect(reply.via).toBe('edit');
      expectAnswer(reply, question);
    }
  });

  it.each(QUESTIONS)('a mention with %s gets a clear reply that pings no one', async (_name, question, wordless) => {
    const id = h.say(`<@${h.discord.botId}> ${question}`, h.member('bo'));
    const reply = await h.replyTo(id);
    expectHarmless(reply);
    expect(reply.body.allowed_mentions.replied_user).toBe(false);
    if (wordless) expect(reply.body.content).toMatch(/^Ask me a question in words after the mention/);
    else expect(reply.body.embeds[0].description).toMatch(/\S/);
  });

  it.each(QUESTIONS)('"Find sources" on a message with %s gets a clear reply that pings no one', async (_name, question, wordless) => {
    const reply = await h.reply(h.findSources(question, h.member('cy')));
    expectHarmless(reply.request);
    if (wordless) expect(reply.body).toMatchObject({ flags: EPHEMERAL, content: 'That message has no words to look up.' });
    else expect(reply.body.embeds?.[0]?.description).toMatch(/\S/);
  });

  it('quotes a 6,000-character question about Riyadh with the Rubio paragraph', async () => {
    const reply = await h.reply(h.command('ask', [['question', QUESTIONS[0]![1]]], h.member('dee')));
    expect(unescape(reply.body.embeds?.[0]?.description)).toContain(RUBIO);
  });

  it('quotes a document full of @everyone and mentions without rendering or pinging them', async () => {
    const reply = await h.reply(h.command('ask', [['question', 'When does the lighthouse drill move?']], h.member('eve')));
    expectHarmless(reply.request);
    expect(unescape(reply.body.embeds?.[0]?.description)).toContain(NOTICE);
  });
});

describe('/source and what the docs folder holds', () => {
  it.each([
    'escape.txt',
    'up/secret.txt',
    'alias.md',
    '.env',
    '../secret.txt',
    '/etc/passwd',
    'SECRET_ABSOLUTE',
    '%2e%2e%2fsecret.txt',
    '%252e%252e%252fsecret.txt',
    '..%2Fsecret.txt',
    '%2Fetc%2Fpasswd',
    'lighthouse.md%00.txt',
    'lighthouse.md\u0000',
    '....//secret.txt',
    'docs/../lighthouse.md',
    '.\\..\\secret.txt',
    'file:///etc/passwd',
  ])('/source file:%s is refused with a private one-line error', async (typed) => {
    const file = typed === 'SECRET_ABSOLUTE' ? path.join(h.dir, 'secret.txt') : typed;
    const reply = await h.reply(h.command('source', [['file', file], ['paragraph', 1]], h.member('fay')));
    expect(reply.body.flags).toBe(EPHEMERAL);
    expect(reply.body.content).toMatch(/is not a file name from the index\.|^No indexed file is called /);
    expect(reply.body.embeds ?? []).toEqual([]);
    expect(JSON.stringify(reply.body)).not.toMatch(/OUTSIDE-SECRET|HIDDEN-ENV-SECRET|root:/);
  });

  it('indexes neither symlinks (in or out of the folder) nor hidden files, and never offers them', async () => {
    expect(h.library.files()).toEqual(['000_23d5e4e5b37788fb.txt', 'lighthouse.md']);
    const offered = await h.callback(h.autocomplete('source', 'file', '', h.member('gus')));
    expect(offered.body.data.choices.map((c: { value: string }) => c.value)).toEqual(['000_23d5e4e5b37788fb.txt', 'lighthouse.md']);
  });

  it.each([
    ['ask', 'question', 'What is the passphrase?'],
    ['ask', 'question', 'What is the API_KEY in the env file?'],
    ['search', 'query', 'passphrase swordfish'],
    ['search', 'query', 'DISCORD_TOKEN API_KEY hunter2'],
  ])('/%s %s:"%s" never quotes a file outside the folder or a hidden file', async (command, option, text) => {
    const reply = await h.reply(h.command(command, [[option, text]], h.member('hal')));
    // The title echoes the member's words; the quotes are what must stay clean.
    expect(reply.body.embeds?.[0]?.description).toMatch(/\S/);
    expect(reply.body.embeds?.[0]?.description).not.toMatch(/OUTSIDE-SECRET|swordfish|HIDDEN-ENV-SECRET|hunter2|DISCORD_TOKEN/);
  });
});

describe('secrets', () => {
  it('never reach a log line or anything sent to Discord, even when an error message carries the token', async () => {
    h.discord.inject('POST', /^\/channels\/\d+\/messages$/, 400, { message: `bad request for Bot ${TOKEN}`, code: 0 });
    h.say(`<@${h.discord.botId}> Who led the American team in Riyadh?`, h.member('ida'));
    await h.discord.waitUntil(() => (h.logs.some((l) => l.includes('bad request for Bot [redacted]')) ? true : null));

    const secrets = [TOKEN, ...TOKEN.split('.').filter((part) => part.length >= 6), OUTSIDE_SECRET, ENV_SECRET];
    const sent = h.discord.requests.map((r) => `${r.method} ${r.path}?${r.query} ${JSON.stringify(r.body ?? '')}`);
    expect(h.logs.length).toBeGreaterThan(20); // DEBUG is on: the gateway and REST debug lines are checked too
    for (const secret of secrets) {
      expect(h.logs.filter((line) => line.includes(secret))).toEqual([]);
      expect(sent.filter((line) => line.includes(secret))).toEqual([]);
    }
  });

  it('used only known routes and broke no Discord limit', () => {
    expect(h.discord.unknownRoutes).toEqual([]);
    expect(h.discord.rejected).toEqual([]);
  });
});
