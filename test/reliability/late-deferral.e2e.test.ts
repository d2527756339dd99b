/**
 * Issue 14 item 6: a 429 on the deferral itself. Discord gives an interaction
 * 3 s for its first response; discord.js waited out a Retry-After of 5 s and
 * deferred at 5,055 ms, when Discord no longer takes it. A first response
 * that would go out after the window is logged and dropped; one that a short
 * Retry-After still lets through is sent. The real discord.js client against
 * the fake Discord, which answers the callback with a 429 once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LibraryApi } from '../../src/library/library.js';
import { Harness, type Sent } from '../helpers/discord-harness.js';

const CALLBACK = /^\/interactions\/\d+\/[^/]+\/callback$/;
let searches = 0;

function counted(library: LibraryApi): LibraryApi {
  return {
    topK: library.topK,
    ask: (question, options) => (searches++, library.ask(question, options)),
    files: () => library.files(),
    paragraph: (file, n) => library.paragraph(file, n),
    paragraphCount: (file) => library.paragraphCount(file),
    stats: () => library.stats(),
    reindex: () => library.reindex(),
  };
}

let h: Harness;

beforeAll(async () => {
  h = await Harness.start({ wrap: counted });
});

afterAll(async () => {
  await h?.close();
});

const callbacks = (sent: Sent) => h.discord.requests.filter((r) => r.method === 'POST' && r.path === `/interactions/${sent.id}/${sent.token}/callback`);

describe('a 429 on the first response', () => {
  it.each([
    ['/ask', (by: ReturnType<Harness['member']>) => h.command('ask', [['question', 'Who led the American team in Riyadh?']], by)],
    ['/help', (by: ReturnType<Harness['member']>) => h.command('help', [], by)],
  ])('%s with Retry-After 5 s: dropped and logged once, never sent after the 3 s window, no work done', async (name, send) => {
    h.discord.rateLimitOnce('POST', CALLBACK, 5);
    const before = { searches, logs: h.logs.length };
    const sent = send(h.member(`late-${name}`));
    // Whichever comes first: the drop in the log, or a second try at the callback (what discord.js did after 5 s).
    const outcome = await h.discord.waitUntil(() => {
      if (callbacks(sent).length > 1) return 'sent late';
      return h.logs.slice(before.logs).some((l) => /dropped/.test(l)) ? 'dropped' : null;
    }, 15_000);
    expect(outcome).toBe('dropped');
    const lines = h.logs.slice(before.logs).filter((l) => /dropped/.test(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^warn ${name} by \\d+ dropped: Discord asked to wait 5\\.0 s before its first response, past the 3 s it allows`));
    expect(callbacks(sent)).toHaveLength(1);
    expect(callbacks(sent)[0]!.status).toBe(429);
    expect(searches).toBe(before.searches);
    // Nothing else was tried on its behalf (no error reply, no follow-up).
    expect(h.discord.requests.filter((r) => r.path.includes(sent.token))).toHaveLength(1);
    expect(h.logs.slice(before.logs).filter((l) => l.startsWith('error'))).toEqual([]);
  });

  it('with Retry-After 1 s: still deferred within the window, and answered', async () => {
    h.discord.rateLimitOnce('POST', CALLBACK, 1);
    const sent = h.command('ask', [['question', 'Who led the American team in Riyadh?']], h.member('patient'));
    const reply = await h.reply(sent);
    expect(callbacks(sent).map((r) => r.status)).toEqual([429, 204]);
    expect(reply.via).toBe('edit');
    expect(reply.body.embeds?.[0]?.description).toMatch(/Rubio/);
  });

  it('the bot keeps answering after a drop', async () => {
    const reply = await h.reply(h.command('ask', [['question', 'Who led the American team in Riyadh?']], h.member('after')));
    expect(reply.body.embeds?.[0]?.description).toMatch(/Rubio/);
  });
});
