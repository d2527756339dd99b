/**
 * Issue 14 item 6: the deferral (or, for a mention, the typing indicator) goes
 * out before any work. Every piece of work a handler can do (search, the
 * index's file and paragraph lookups, the cooldown, which in a shard is an IPC
 * round trip, and the vote file) is watched here: each call records whether
 * Discord had already received the deferral of the interaction being handled.
 * The real discord.js client against the fake Discord, the real library.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LibraryApi } from '../../src/library/library.js';
import { Cooldowns, type CooldownBook } from '../../src/bot/state/cooldown.js';
import { FeedbackLog, type FeedbackEntry, type FeedbackSink } from '../../src/bot/state/feedback.js';
import { Harness, type Sent } from '../helpers/discord-harness.js';

const EPHEMERAL = 64;

/** The work done so far for the interaction (or mention) under test, and whether it came after the deferral. */
let calls: Array<{ what: string; afterDefer: boolean }> = [];
/** What counts as "deferred" for the request in flight. */
let deferred: () => boolean = () => false;

const record = (what: string) => calls.push({ what, afterDefer: deferred() });

function watched(library: LibraryApi): LibraryApi {
  return {
    topK: library.topK,
    ask: (question, options) => (record('search'), library.ask(question, options)),
    files: () => (record('files'), library.files()),
    paragraph: (file, n) => (record('paragraph'), library.paragraph(file, n)),
    paragraphCount: (file) => (record('paragraphCount'), library.paragraphCount(file)),
    stats: () => library.stats(),
    reindex: () => library.reindex(),
  };
}

/** A cooldown book that answers asynchronously, as a shard's (over IPC) does. */
const cooldowns = new Cooldowns(0);
const cooldownBook: CooldownBook = {
  take: async (userId) => (record('cooldown'), cooldowns.take(userId)),
};

let h: Harness;
let feedbackLog: FeedbackLog;
const feedback: FeedbackSink = {
  record: (entry: FeedbackEntry) => (record('vote file'), feedbackLog.record(entry)),
};

beforeAll(async () => {
  h = await Harness.start({ wrap: watched, bot: { shared: { cooldowns: cooldownBook, feedback, announceReindex: () => undefined } } });
  feedbackLog = new FeedbackLog(h.config.feedbackFile);
});

afterAll(async () => {
  await h?.close();
});

beforeEach(() => {
  calls = [];
  deferred = () => false;
});

/** Sends an interaction; from then on "deferred" means Discord has its callback. */
function send(make: () => Sent): Sent {
  let current: Sent | null = null;
  deferred = () => current !== null && h.discord.requests.some((r) => r.method === 'POST' && r.path === `/interactions/${current!.id}/${current!.token}/callback`);
  current = make();
  return current;
}

const late = () => calls.filter((c) => !c.afterDefer).map((c) => c.what);

describe('the deferral goes out before any work', () => {
  it.each([
    ['/ask', () => h.command('ask', [['question', 'Who led the American team in Riyadh?']], h.member('ann'))],
    ['/search', () => h.command('search', [['query', 'Rubio Riyadh']], h.member('bo'))],
    ['/source', () => h.command('source', [['file', '000_23d5e4e5b37788fb.txt'], ['paragraph', 4]], h.member('cy'))],
    ['"Find sources"', () => h.findSources('Who led the American team in Riyadh?', h.member('dee'))],
  ] as const)('%s: the cooldown, the search and the index lookups all come after the deferral', async (_name, make) => {
    const sent = send(make);
    const reply = await h.reply(sent);
    expect((await h.callback(sent)).body.type).toBe(5);
    expect(reply.via).toBe('edit');
    expect(calls.length).toBeGreaterThan(0);
    expect(late()).toEqual([]);
  });

  it('/source with a file that is not indexed: deferred first, then refused privately', async () => {
    const sent = send(() => h.command('source', [['file', 'nope.txt'], ['paragraph', 1]], h.member('eve')));
    const reply = await h.reply(sent);
    expect(reply.body.flags).toBe(EPHEMERAL);
    expect(reply.body.content).toMatch(/^No indexed file is called /);
    expect(late()).toEqual([]);
  });

  it('a question without words is refused at once and privately, with no work done', async () => {
    const sent = send(() => h.command('ask', [['question', '😀 **?**']], h.member('fay')));
    const reply = await h.reply(sent);
    expect(reply.via).toBe('callback');
    expect(reply.body.flags).toBe(EPHEMERAL);
    expect(calls).toEqual([]);
  });

  it.each([
    ['"More results"', 'More results'],
    ['👍', '👍'],
  ])('the %s button: its deferral goes out before the cooldown, the search or the vote file', async (_name, label) => {
    const answer = await h.reply(h.command('ask', [['question', 'What did Trump say about Putin and Ukraine?']], h.member('gus')));
    const button = answer.body.components?.[0]?.components.find((c: { label?: string; emoji?: { name: string } }) => (c.label ?? c.emoji?.name) === label);
    expect(button).toBeDefined();
    calls = [];
    const click = send(() => h.click(button.custom_id, h.messageOf(answer), h.member('hal')));
    const reply = await h.reply(click);
    expect((await h.callback(click)).body).toMatchObject({ type: 5, data: { flags: EPHEMERAL } });
    expect(reply.body.flags ?? EPHEMERAL).toBe(EPHEMERAL);
    expect(calls.length).toBeGreaterThan(0);
    expect(late()).toEqual([]);
  });

  // The cooldown may come first here: a mention has no 3 s window, and "typing…" followed by a ⏳ reaction would leave the indicator up for 10 s.
  it('a mention: the typing indicator goes out before the search', async () => {
    const channel = h.discord.channelIds[0]!;
    const typedBefore = h.discord.requests.filter((r) => r.path === `/channels/${channel}/typing`).length;
    deferred = () => h.discord.requests.filter((r) => r.path === `/channels/${channel}/typing`).length > typedBefore;
    const id = h.say(`<@${h.discord.botId}> Who led the American team in Riyadh?`, h.member('ida'));
    await h.replyTo(id);
    expect(calls.map((c) => c.what)).toContain('search');
    expect(late().filter((what) => what !== 'cooldown')).toEqual([]);
  });
});
