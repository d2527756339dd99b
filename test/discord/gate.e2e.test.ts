/**
 * Cooldowns and the channel allowlist, end to end: a second bot configured
 * with COOLDOWN_SECONDS=30 and ALLOWED_CHANNEL_IDS set to one channel.
 * Interactions are told why (ephemeral); mentions get ⏳ while cooling down
 * and silence outside the allowed channels.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBot } from '../../src/bot/serve.js';
import { Harness, unescape } from '../helpers/discord-harness.js';

const EPHEMERAL = 64;
let h: Harness;
let allowed: string;
let elsewhere: string;

beforeAll(async () => {
  h = await Harness.start({ envFor: (discord) => ({ COOLDOWN_SECONDS: '30', ALLOWED_CHANNEL_IDS: discord.channelIds[0]! }) });
  [allowed, elsewhere] = h.discord.channelIds as [string, string];
});

afterAll(async () => {
  await h?.close();
});

describe('cooldown', () => {
  it('answers the first question, then tells the same user how long to wait', async () => {
    const ann = h.member('ann');
    const first = await h.reply(h.command('ask', [['question', 'Who led the American team in Riyadh?']], ann));
    expect(unescape(first.body.embeds?.[0]?.description)).toContain('Marco Rubio');
    const second = await h.reply(h.command('search', [['query', 'Zelensky']], ann));
    expect(second.body).toMatchObject({ flags: EPHEMERAL, content: expect.stringMatching(/^Please wait (30|29) s before asking again\.$/) });
  });

  it('does not hold one user back for another, nor cool down cheap commands', async () => {
    const bo = h.member('bo');
    await h.reply(h.command('ask', [['question', 'Who is Zelensky?']], bo));
    const help = await h.reply(h.command('help', [], bo));
    expect(help.body.embeds?.[0]?.title).toBe('citebot');
    const other = await h.reply(h.command('ask', [['question', 'Who is Zelensky?']], h.member('cy')));
    expect(other.via).toBe('edit');
  });

  it('reacts ⏳ to a mention during the cooldown, without a reply', async () => {
    const dee = h.member('dee');
    const answered = h.say(`<@${h.discord.botId}> Who led the American team?`, dee);
    await h.replyTo(answered);
    const early = h.say(`<@${h.discord.botId}> And who else was there?`, dee);
    await h.discord.waitUntil(() => h.discord.reactions.find((r) => r.messageId === early && r.emoji === '⏳') ?? null);
    const sentinel = h.say(`<@${h.discord.botId}> Who is Zelensky?`, h.member('eve'));
    await h.replyTo(sentinel);
    expect(h.discord.requests.some((r) => r.body?.message_reference?.message_id === early)).toBe(false);
  });
});

describe('channel allowlist', () => {
  it('tells a slash-command user privately where the bot answers', async () => {
    const reply = await h.reply(h.command('ask', [['question', 'Who led the team?']], h.member('fay'), elsewhere));
    expect(reply.body).toMatchObject({ flags: EPHEMERAL, content: `I only answer in <#${allowed}> (and their threads).` });
  });

  it('stays silent on a mention outside the allowed channels', async () => {
    const outside = h.say(`<@${h.discord.botId}> Who led the team?`, h.member('gus'), { channelId: elsewhere });
    const inside = h.say(`<@${h.discord.botId}> Who led the team?`, h.member('hal'), { channelId: allowed });
    await h.replyTo(inside);
    expect(h.discord.requests.some((r) => r.body?.message_reference?.message_id === outside)).toBe(false);
  });

  it('used only known routes and respected every limit', () => {
    expect(h.discord.unknownRoutes).toEqual([]);
    expect(h.discord.rejected).toEqual([]);
  });
});

describe('login', () => {
  it('a wrong token fails with one clear line, without the token in it', async () => {
    const wrong = 'V3JvbmdUb2tlbjAwMDAwMDAwMDA.Wrong0.this-is-not-the-token-the-server-knows';
    const config = { ...h.config, discord: { ...h.config.discord, token: wrong } };
    const lines: string[] = [];
    const log = { info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m) };
    const failure = await startBot(config, h.library, log).catch((err: unknown) => err);
    expect(failure).toMatchObject({ name: 'CitebotError', message: 'Discord rejected DISCORD_TOKEN.' });
    expect(lines.join('\n')).not.toContain(wrong.split('.')[2]);
  });
});
