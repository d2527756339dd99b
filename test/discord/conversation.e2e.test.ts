/**
 * Where members talk, end to end with the real discord.js client: threads and
 * forum posts under allowed channels, follow-ups, forum auto-reply, the ⏳
 * reaction, refused input and the cooldown, the three verdicts as a member
 * sees them, one vote per member, /stats and /help, servers only.
 *
 * The `unsure` verdict is not produced by the retriever yet: a wrapper turns
 * questions containing UNSURE into a hand-built unsure answer (real passages).
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LibraryApi } from '../../src/library/library.js';
import type { Answer } from '../../src/types.js';
import { Harness, unescape, type BotReply } from '../helpers/discord-harness.js';
import { sendDmInteraction, slashData } from '../helpers/discord-payloads.js';
import type { RecordedRequest } from './fake-discord.js';

const EPHEMERAL = 64;
const TRUMP_REPLY = 'You should have ended it!';
const HOST_PATH = '/srv/citebot-host-secret/models';

let h: Harness;
let allowed: string;
let elsewhere: string;
let forum: string;

/** Questions with UNSURE in them come back as `unsure`, with three real passages. */
function unsureFor(library: LibraryApi): LibraryApi {
  return {
    ...library,
    ask: async (question, options) => {
      if (!question.includes('UNSURE')) return library.ask(question, options);
      const real = await library.ask('Rubio Riyadh talks', { ...options, topK: 3 });
      const answer: Answer = { ...real, question, answered: false, verdict: 'unsure', confidence: 0.3 };
      return answer;
    },
    topK: library.topK,
    files: () => library.files(),
    paragraph: (file, n) => library.paragraph(file, n),
    paragraphCount: (file) => library.paragraphCount(file),
    stats: () => library.stats(),
    reindex: () => library.reindex(),
  };
}

beforeAll(async () => {
  h = await Harness.start({
    discord: { botName: 'Quill' },
    keywordReason: `embedding model Xenova/all-MiniLM-L6-v2 is not available (not found in ${HOST_PATH} or /home/ops/.cache/citebot, and downloading is disabled)`,
    envFor: (discord) => ({
      COOLDOWN_SECONDS: '30',
      ALLOWED_CHANNEL_IDS: `${discord.channelIds[0]!},${discord.forumIds[0]!}`,
      AUTO_REPLY_CHANNEL_IDS: discord.forumIds[0]!,
    }),
    wrap: unsureFor,
  });
  [allowed, elsewhere] = h.discord.channelIds as [string, string];
  forum = h.discord.forumIds[0]!;
});

afterAll(async () => {
  await h?.close();
});

const description = (reply: BotReply) => unescape(reply.body.embeds?.[0]?.description);
const mention = (text: string) => `<@${h.discord.botId}> ${text}`;
/** Every message the bot posted into a channel or thread. */
const postsIn = (channelId: string) => h.discord.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${channelId}/messages` && r.status < 300);
/** Waits until the bot has seen a thread (THREAD_CREATE is processed before later events on the same shard). */
async function threadUnder(parentId: string, name: string) {
  const thread = h.discord.createThread(parentId, name);
  await h.discord.waitUntil(() => (h.bot.client.channels.cache.has(thread.id) ? true : null));
  return thread;
}

describe('threads and forum posts', () => {
  it('/ask in a thread of an allowed channel is answered, not refused', async () => {
    const thread = await threadUnder(allowed, 'Riyadh questions');
    const reply = await h.reply(h.command('ask', [['question', 'Who led the American team in Riyadh?']], h.member('ann'), thread.id));
    expect(reply.via).toBe('edit');
    expect(description(reply)).toContain('Marco Rubio');
  });

  it('a mention in a forum post under an allowed forum is answered in that post, with the typing indicator first', async () => {
    const post = await threadUnder(forum, 'Talks');
    const id = h.say(mention('Who accompanied Rubio to Saudi Arabia?'), h.member('bo'), { channelId: post.id });
    const reply = await h.replyTo(id);
    expect(reply.path).toBe(`/channels/${post.id}/messages`);
    expect(unescape(reply.body.embeds[0].description)).toContain('Steve Witkoff');
    const typing = h.discord.requests.findIndex((r) => r.method === 'POST' && r.path === `/channels/${post.id}/typing`);
    expect(typing).toBeGreaterThanOrEqual(0);
    expect(typing).toBeLessThan(h.discord.requests.indexOf(reply));
  });

  it('a thread under a channel outside the allowlist is still refused', async () => {
    const thread = await threadUnder(elsewhere, 'Off topic');
    const reply = await h.reply(h.command('ask', [['question', 'Who led the team?']], h.member('cy'), thread.id));
    expect(reply.body).toMatchObject({ flags: EPHEMERAL, content: expect.stringMatching(/^I only answer in /) });
  });

  it('a follow-up in a thread is searched with the earlier question: quotes only', async () => {
    const thread = await threadUnder(allowed, 'Exclusion');
    const dee = h.member('dee');
    await h.replyTo(h.say(mention('What did Zelensky say about being excluded from the talks?'), dee, { channelId: thread.id }));
    // Alone, in a plain channel, the follow-up finds nothing.
    const alone = await h.replyTo(h.say(mention('And what did Trump reply?'), h.member('eve'), { channelId: allowed }));
    expect(unescape(alone.body.embeds[0].description)).not.toContain(TRUMP_REPLY);
    const later = h.member('dee-later');
    const followUp = await h.replyTo(h.say(mention('And what did Trump reply?'), later, { channelId: thread.id }));
    const embed = followUp.body.embeds[0];
    expect(embed.title).toBe('And what did Trump reply?');
    expect(unescape(embed.description)).toContain(TRUMP_REPLY);
    expect(embed.description).toMatch(/^> /m);
  });
});

describe('forum auto-reply', () => {
  it('answers a new forum post the documents clearly answer, in the post', async () => {
    const post = await threadUnder(forum, 'Who led the American team in Riyadh?');
    const id = h.say('Thanks!', h.member('fay'), { channelId: post.id, mentionsBot: false, id: post.id });
    const reply = await h.replyTo(id);
    expect(reply.path).toBe(`/channels/${post.id}/messages`);
    expect(unescape(reply.body.embeds[0].description)).toContain('Marco Rubio');
    expect(reply.body.embeds[0].footer.text).toMatch(/^Best match/);
  });

  it.each([
    ['unsure', 'UNSURE what the talks were about'],
    ['not covered', 'What is the boiling point of tungsten?'],
  ])('stays silent on a post whose verdict is %s', async (verdict, title) => {
    const post = await threadUnder(forum, title);
    h.say('Anyone know?', h.member('gus'), { channelId: post.id, mentionsBot: false, id: post.id });
    await h.discord.waitUntil(() => (h.logs.some((l) => l.includes(`auto-reply: stayed silent on ${post.id}`)) ? true : null));
    expect(postsIn(post.id)).toEqual([]);
    expect(h.logs.join('\n')).toContain(`stayed silent on ${post.id} (${verdict === 'unsure' ? 'unsure' : 'none'})`);
  });

  it('asks for the Message Content intent, because auto-reply posts do not mention the bot', () => {
    const identify = h.discord.gatewayFrames.find((f) => f.op === 2);
    expect((identify?.d as { intents: number }).intents).toBe(1 | 512 | 32768);
  });
});

describe('cooldown and refused input', () => {
  it('a mention during the cooldown gets a ⏳ reaction instead of silence', async () => {
    const hal = h.member('hal');
    await h.replyTo(h.say(mention('Who led the American team in Riyadh?'), hal));
    const early = h.say(mention('And who else was there?'), hal);
    const reaction = await h.discord.waitUntil(() => h.discord.reactions.find((r) => r.messageId === early) ?? null);
    expect(reaction).toEqual({ channelId: allowed, messageId: early, emoji: '⏳' });
    expect(h.discord.requests.some((r) => r.body?.message_reference?.message_id === early)).toBe(false);
  });

  it('a refused input does not start the cooldown: the next real question is answered', async () => {
    const ida = h.member('ida');
    const refused = await h.reply(h.command('ask', [['question', '🤔🤔 ???']], ida));
    expect(refused.body).toMatchObject({ flags: EPHEMERAL, content: expect.stringMatching(/^Your question has no words/) });
    const wordless = await h.replyTo(h.say(mention('👀'), ida));
    expect(wordless.body.content).toBe('Ask me a question in words after the mention, e.g. `@Quill who led the talks?` (or use /ask).');
    const answered = await h.reply(h.command('ask', [['question', 'Who led the American team in Riyadh?']], ida));
    expect(answered.via).toBe('edit');
    expect(description(answered)).toContain('Marco Rubio');
    const cooled = await h.reply(h.command('search', [['query', 'Zelensky']], ida));
    expect(cooled.body.content).toMatch(/^Please wait \d+ s before asking again\.$/);
  });
});

describe('what a member sees for each verdict', () => {
  it('answered: the quotes, the source as `¶4 · line 5`, footer "Best match"', async () => {
    const reply = await h.reply(h.command('ask', [['question', 'Who led the American team in Riyadh?']], h.member('jo')));
    expect(description(reply)).toContain('› ¶4 · line 5');
    expect(reply.body.embeds?.[0]?.footer?.text).toBe('Best match · passages 1–3');
    expect(reply.body.embeds?.[0]?.footer?.text).not.toMatch(/mode|confidence/);
  });

  it('unsure: says so, quotes at most two, footer "Possible matches", no "More results"', async () => {
    const reply = await h.reply(h.command('ask', [['question', 'UNSURE about the meeting']], h.member('kim')));
    const text = description(reply);
    expect(text.startsWith("I couldn't find a passage that clearly answers that. These are the closest:\n\n")).toBe(true);
    expect(text.match(/^— /gm)).toHaveLength(2);
    expect(reply.body.embeds?.[0]?.footer?.text).toBe('Possible matches · passages 1–2');
    const labels = reply.body.components?.[0]?.components.map((c: { label?: string; emoji?: { name: string } }) => c.label ?? c.emoji?.name);
    expect(labels).toEqual(['👍', '👎']);
  });

  it('none: no quotes, a next step with /search, and a button for the nearest passages', async () => {
    const lou = h.member('lou');
    const reply = await h.reply(h.command('ask', [['question', 'And what did Trump reply?']], lou));
    const text = description(reply);
    expect(text).toMatch(/^The documents don't cover this\./);
    expect(text).toContain('`/search`');
    expect(text).toContain('**Nearest passages** shows what came closest.');
    expect(reply.body.embeds?.[0]?.footer?.text).toBe('Not covered by the documents');
    expect(text).not.toMatch(/^>/m);
    const near = reply.body.components?.[0]?.components.find((c: { label?: string }) => c.label === 'Nearest passages');
    expect(near).toBeDefined();
    // The cooldown applies to the button too; a second member clicks it.
    const click = h.click(near.custom_id, h.messageOf(reply), h.member('lou-friend'));
    expect((await h.callback(click)).body).toMatchObject({ type: 5, data: { flags: EPHEMERAL } });
    const page = await h.reply(click);
    expect(description(page)).toMatch(/^None of these answers the question; they are the nearest passages:\n\n> /);
  });
});

describe('votes', () => {
  it('one vote per member per answer: a repeat is not counted twice, the other button changes it', async () => {
    const max = h.member('max');
    const answer = await h.reply(h.command('ask', [['question', 'What did Rubio say about the talks?']], max));
    const button = (emoji: string) => answer.body.components?.[0]?.components.find((c: { emoji?: { name: string } }) => c.emoji?.name === emoji).custom_id;
    const clicks: string[] = [];
    for (const emoji of ['👍', '👍', '👎']) clicks.push((await h.reply(h.click(button(emoji), h.messageOf(answer), max))).body.content!);
    expect(clicks).toEqual(['Thanks, your 👍 was recorded.', 'You already voted 👍 on this answer; one vote per member.', 'Your vote on this answer is now 👎.']);
    const other = await h.reply(h.click(button('👍'), h.messageOf(answer), h.member('ned')));
    expect(other.body.content).toBe('Thanks, your 👍 was recorded.');
    const lines = (await readFile(h.config.feedbackFile, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    const onThis = lines.filter((l) => l.question === 'What did Rubio say about the talks?');
    expect(onThis.map((l) => [l.userId, l.vote])).toEqual([[max.id, 'down'], [expect.any(String), 'up']]);
  });
});

describe('/stats, /help, servers only', () => {
  it('/stats never shows a host path', async () => {
    const reply = await h.reply(h.command('stats', [], h.member('oli')));
    const fields = (reply.body.embeds?.[0] as { fields: Array<{ name: string; value: string }> }).fields;
    const text = JSON.stringify(reply.body);
    expect(text).not.toContain('/srv/');
    expect(text).not.toContain('/home/');
    expect(text).not.toContain(h.dir);
    expect(fields.find((f) => f.name === 'Why keyword mode')?.value).toContain('not found in …/models or …/citebot');
  });

  it('/help uses the bot\'s real name', async () => {
    const reply = await h.reply(h.command('help', [], h.member('pat')));
    expect(reply.body.embeds?.[0]?.title).toBe('Quill');
    expect(reply.body.embeds?.[0]?.description).toContain('`@Quill your question`');
    expect(reply.body.embeds?.[0]?.description).not.toContain('citebot');
  });

  it('every command declares it works in servers only (contexts, integration_types)', async () => {
    const { deployCommands } = await import('../../src/bot/deploy.js');
    await deployCommands(h.config);
    for (const command of h.discord.commands.guild) {
      expect([command.name, command.contexts, command.integration_types]).toEqual([command.name, [0], [0]]);
    }
  });

  it('a DM interaction is told the bot answers in servers, and nothing is searched', async () => {
    const before = h.bot.context.counters.questions;
    const reply = await h.reply(sendDmInteraction(h.discord, slashData('ask', [['question', 'Who led the team?']]), h.member('quin')));
    expect(reply.body).toMatchObject({ flags: EPHEMERAL, content: 'I only answer in servers: ask me in a channel of a server I am in.' });
    expect(h.bot.context.counters.questions).toBe(before);
  });

  it('asks for no DM intent, so DM messages never reach it', () => {
    const identify = h.discord.gatewayFrames.find((f) => f.op === 2);
    expect((identify?.d as { intents: number }).intents & (4096 | 8192)).toBe(0);
  });

  it('used only known routes and respected every limit', () => {
    expect(h.discord.unknownRoutes).toEqual([]);
    expect(h.discord.rejected).toEqual([]);
    expect(h.logs.filter((l) => l.startsWith('error'))).toEqual([]);
  });
});

