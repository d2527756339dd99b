/**
 * The bot under faults, end to end: the real discord.js client against the
 * fake Discord server, the real library (keyword mode) over a copy of seeds/.
 * Discord drops the gateway mid-answer and fails REST calls; the disk fills up
 * during /reindex; documents are deleted while the bot serves.
 */
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAILURE_NOTICE } from '../../src/bot/dispatch.js';
import { Harness, unescape, type BotReply, type Sent } from '../helpers/discord-harness.js';
import { fillDisk, heldAsks, until, type HeldAsks } from '../helpers/reliability-faults.js';

const EPHEMERAL = 64;
const RUBIO_TEAM = 'A Trump administration team led by Secretary of State Marco Rubio sat down Tuesday for four hours';
const TEAM_QUESTION = 'Who led the American team in Riyadh?';
const LIGHTHOUSE = 'The lighthouse keeper polishes the great lens every evening before lighting the lamp.';
const BAKERY = 'The baker fires the stone oven at four every morning to bake rye loaves.';
const ORIGINAL = '/messages/@original';

let h: Harness;
let asks: HeldAsks;

beforeAll(async () => {
  h = await Harness.start({
    docs: { 'lighthouse.md': `# Lighthouse\n\n${LIGHTHOUSE}\n` },
    wrap: (library) => (asks = heldAsks(library)).library,
  });
});

afterAll(async () => {
  asks?.release();
  await h?.close();
});

const description = (reply: BotReply) => unescape(reply.body.embeds?.[0]?.description);

/** Status codes of the bot's edits of one interaction's answer, in order. */
function edits(sent: Sent): number[] {
  return h.discord.requests.filter((r) => r.method === 'PATCH' && r.path.includes(sent.token) && r.path.endsWith(ORIGINAL)).map((r) => r.status);
}

function resumes(): number {
  return h.discord.gatewayFrames.filter((f) => f.op === 6).length;
}

describe('the gateway drops mid-answer', () => {
  it('delivers the answer deferred before the drop, resumes, and answers what was sent while it was down', async () => {
    const before = resumes();
    asks.holdNext();
    const sent = h.command('ask', [['question', TEAM_QUESTION]], h.member('ann'));
    expect((await h.callback(sent)).body.type).toBe(5);
    await asks.held();

    h.discord.dropSocket(); // between the defer and the edit
    const during = h.command('ask', [['question', 'Who is Zelensky?']], h.member('bo'));
    asks.release();

    expect(description(await h.reply(sent))).toContain(RUBIO_TEAM);
    expect((await h.reply(during)).via).toBe('edit');
    expect(resumes()).toBe(before + 1);
    expect(h.discord.gatewayFrames.filter((f) => f.op === 2)).toHaveLength(1); // resumed, never re-identified
  });
});

describe('REST failures', () => {
  it.each([
    ['a 500, then success', [500], [500, 200]],
    ['a 502, then a 503, then success', [502, 503], [502, 503, 200]],
    ['a 500, then a 429 with Retry-After, then success', [500, 429], [500, 429, 200]],
  ])('the answer edit gets %s: discord.js retries and the answer arrives', async (_name, failures, statuses) => {
    for (const status of failures) {
      if (status === 429) h.discord.rateLimitOnce('PATCH', /\/messages\/@original$/, 1);
      else h.discord.inject('PATCH', /\/messages\/@original$/, status, { message: 'Internal Server Error', code: 0 });
    }
    const sent = h.command('ask', [['question', TEAM_QUESTION]], h.member('cy'));
    const reply = await h.reply(sent);
    expect(description(reply)).toContain(RUBIO_TEAM);
    expect(edits(sent)).toEqual(statuses);
  });

  it('after four 500s in a row it gives up on the edit, tells the user privately, logs it, and keeps serving', async () => {
    for (let i = 0; i < 4; i++) h.discord.inject('PATCH', /\/messages\/@original$/, 500, { message: 'Internal Server Error', code: 0 });
    const sent = h.command('ask', [['question', TEAM_QUESTION]], h.member('dee'));
    const reply = await h.reply(sent);

    expect(edits(sent)).toEqual([500, 500, 500, 500]);
    expect(reply).toMatchObject({ via: 'followup', body: { flags: EPHEMERAL, content: FAILURE_NOTICE } });
    expect(h.logs.join('\n')).toMatch(/error \/ask by \d+ failed: HTTPError: Internal Server Error/);
    const after = await h.reply(h.command('ask', [['question', TEAM_QUESTION]], h.member('dee')));
    expect(description(after)).toContain(RUBIO_TEAM);
  });
});

describe('the disk fills up during /reindex', () => {
  it('keeps serving the old index, tells the admin why in one private line, and reindexes once space is back', async () => {
    await writeFile(path.join(h.config.docsDir, 'bakery.txt'), `${BAKERY}\n`);
    const generation = h.library.stats().generation;
    const free = fillDisk(/^index\.json\.tmp-/);
    let failed: BotReply;
    try {
      failed = await h.reply(h.command('reindex', [], h.member('admin', true)));
    } finally {
      free();
    }
    expect(failed.body.flags).toBe(EPHEMERAL);
    expect(failed.body.content).toBe(
      `Could not write the index in ${h.config.indexDir}: the disk is full (ENOSPC). ` +
        `The previous index is unchanged; free some space and run: npx citebot ingest --index ${h.config.indexDir}`,
    );
    expect(h.library.stats().generation).toBe(generation);
    expect(description(await h.reply(h.command('ask', [['question', TEAM_QUESTION]], h.member('eve'))))).toContain(RUBIO_TEAM);
    expect(description(await h.reply(h.command('ask', [['question', 'When does the baker fire the stone oven?']], h.member('eve'))))).not.toContain(BAKERY);

    const done = await h.reply(h.command('reindex', [], h.member('admin', true)));
    expect(done.body.content).toMatch(/^Indexed 3 files, \d+ passages \(1 new, 0 changed, 0 removed\)/);
    expect(description(await h.reply(h.command('ask', [['question', 'When does the baker fire the stone oven?']], h.member('eve'))))).toContain(BAKERY);
  });
});

describe('a document deleted while the bot serves (--watch)', () => {
  it('is never quoted by /ask, shown by /source or offered by autocomplete once its re-index finished', async () => {
    const question = 'Who polishes the great lens of the lighthouse?';
    expect(description(await h.reply(h.command('ask', [['question', question]], h.member('fay'))))).toContain(LIGHTHOUSE);
    const warnings: string[] = [];
    const watcher = h.library.watch((line) => warnings.push(line), { debounceMs: 50, pollMs: 200 });
    try {
      await rm(path.join(h.config.docsDir, 'lighthouse.md'));
      await until(() => (h.library.files().includes('lighthouse.md') ? null : true), 10_000, 'the re-index');
    } finally {
      watcher.close();
    }

    const asked = await h.reply(h.command('ask', [['question', question]], h.member('fay')));
    const searched = await h.reply(h.command('search', [['query', 'lighthouse keeper lens lamp']], h.member('fay')));
    const shown = await h.reply(h.command('source', [['file', 'lighthouse.md'], ['paragraph', 1]], h.member('fay')));
    const offered = await h.callback(h.autocomplete('source', 'file', 'light', h.member('fay')));
    for (const reply of [asked, searched]) expect(description(reply)).not.toMatch(/lighthouse\.md|polishes the great lens/);
    expect(shown.body).toMatchObject({ flags: EPHEMERAL, content: expect.stringMatching(/^No indexed file is called "lighthouse\.md"/) });
    expect(offered.body.data.choices).toEqual([]);
    expect(warnings).toEqual([]);
  });
});

describe('afterwards', () => {
  it('used only known routes and broke no Discord limit', () => {
    expect(h.discord.unknownRoutes).toEqual([]);
    expect(h.discord.rejected).toEqual([]);
  });
});
