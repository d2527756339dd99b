import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AnswerMemory } from '../../src/bot/state/answer-memory.js';
import { answerButtons, customId, parseCustomId } from '../../src/bot/ui/buttons.js';
import { Cooldowns } from '../../src/bot/state/cooldown.js';
import { FeedbackLog } from '../../src/bot/state/feedback.js';
import { fileChoices, resolveFile } from '../../src/bot/ui/file-choice.js';
import { LIMITS } from '../../src/bot/ui/limits.js';
import { redact, redactingLog } from '../../src/bot/log.js';
import { questionOf } from '../../src/bot/mention.js';
import { CitebotError } from '../../src/errors.js';

const FILES = ['guides/setup.md', 'notes.txt', 'guides/faq.md', 'a%2e%2e.txt'];

describe('file choices', () => {
  it.each([
    ['gui', ['guides/setup.md', 'guides/faq.md']],
    ['faq', ['guides/faq.md']],
    ['TXT', ['notes.txt', 'a%2e%2e.txt']],
    ['zzz', []],
  ])('typing %j offers %j', (typed, expected) => {
    expect(fileChoices(FILES, typed).map((c) => c.value)).toEqual(expected);
  });

  it('offers at most 25 choices, each name within 100 characters', () => {
    const many = Array.from({ length: 300 }, (_, i) => `${'deep/'.repeat(30)}file-${i}.md`);
    const choices = fileChoices(many, 'file');
    expect(choices).toHaveLength(LIMITS.choices);
    for (const c of choices) expect(c.value.length).toBeLessThanOrEqual(LIMITS.choiceName);
    expect(resolveFile(many, choices[3]!.value)).toBe(many[3]);
  });

  it.each(['../.env', '/etc/passwd', 'C:\\Windows\\win.ini', 'guides\\setup.md', '%2e%2e/%2e%2e/etc/passwd', 'guides/%2e%2e/notes.txt', '~/x', 'guides/./setup.md', '%E0%A4%A'])(
    'refuses the path trick %j',
    (typed) => {
      expect(() => resolveFile(FILES, typed)).toThrow(/is not a file name from the index/);
    },
  );

  it('accepts indexed names (case-insensitively when unambiguous) and refuses unknown ones', () => {
    expect(resolveFile(FILES, 'guides/setup.md')).toBe('guides/setup.md');
    expect(resolveFile(FILES, ' Notes.TXT ')).toBe('notes.txt');
    expect(() => resolveFile(FILES, 'nope.md')).toThrow(CitebotError);
  });
});

describe('cooldowns', () => {
  it('counts down per user and turns off at 0 s', () => {
    let now = 0;
    const cooldowns = new Cooldowns(5, () => now);
    expect(cooldowns.take('a')).toBe(0);
    now = 1200;
    expect(cooldowns.take('a')).toBe(4);
    expect(cooldowns.take('b')).toBe(0);
    now = 5000;
    expect(cooldowns.take('a')).toBe(0);
    const off = new Cooldowns(0, () => now);
    expect([off.take('a'), off.take('a')]).toEqual([0, 0]);
  });
});

describe('answer memory', () => {
  it('forgets entries after the TTL and beyond its capacity', () => {
    let now = 0;
    const memory = new AnswerMemory(2, 1000, () => now);
    const a = memory.remember({ question: 'a', offset: 0, shown: ['x#1'] });
    const b = memory.remember({ question: 'b', offset: 0, shown: [] });
    expect(memory.recall(a)?.question).toBe('a');
    memory.remember({ question: 'c', offset: 0, shown: [] });
    expect(memory.recall(a)).toBeNull();
    now = 1000;
    expect(memory.recall(b)).toBeNull();
    expect(memory.recall('never-issued')).toBeNull();
  });
});

describe('buttons', () => {
  it('round-trips custom ids within 100 characters and refuses foreign ones', () => {
    const key = new AnswerMemory().remember({ question: 'q'.repeat(5000), offset: 0, shown: [] });
    for (const action of ['more', 'near', 'up', 'down'] as const) {
      expect(customId(action, key).length).toBeLessThanOrEqual(LIMITS.customId);
      expect(parseCustomId(customId(action, key))).toEqual({ action, key });
    }
    expect(parseCustomId('cb0:more:abc')).toBeNull();
    expect(parseCustomId('cb1:delete:abc')).toBeNull();
  });

  it('offers "More results" and "Nearest passages" only when asked to', () => {
    const labels = (more: boolean, nearest = false) =>
      answerButtons('k', { more, nearest }).toJSON().components.map((c) => ('label' in c ? c.label : 'emoji' in c ? c.emoji?.name : undefined));
    expect(labels(true)).toEqual(['More results', '👍', '👎']);
    expect(labels(false)).toEqual(['👍', '👎']);
    expect(labels(false, true)).toEqual(['Nearest passages', '👍', '👎']);
  });
});

describe('feedback log', () => {
  it('creates the folder and appends one JSON line per vote', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'citebot-feedback-'));
    const file = path.join(dir, 'nested', 'votes.jsonl');
    const log = new FeedbackLog(file);
    await Promise.all(['up', 'down', 'up'].map((vote, i) => log.record({ time: `t${i}`, vote: vote as 'up' | 'down', userId: `u${i}`, answer: 'a1', question: 'q\n"x"', passages: ['f#1'] })));
    const lines = (await readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.userId, l.vote, l.question])).toEqual([['u0', 'up', 'q\n"x"'], ['u1', 'down', 'q\n"x"'], ['u2', 'up', 'q\n"x"']]);
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps one vote per member per answer: the same vote is kept, another replaces it in place', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'citebot-feedback-'));
    const file = path.join(dir, 'votes.jsonl');
    const log = new FeedbackLog(file);
    const vote = (userId: string, answer: string, v: 'up' | 'down') => log.record({ time: 't', vote: v, userId, answer, question: 'q', passages: [] });
    expect(await vote('ann', 'a1', 'up')).toBe('recorded');
    expect(await vote('bo', 'a1', 'up')).toBe('recorded');
    expect(await vote('ann', 'a2', 'down')).toBe('recorded');
    expect(await vote('ann', 'a1', 'up')).toBe('unchanged');
    expect(await vote('ann', 'a1', 'down')).toBe('changed');
    const lines = (await readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.userId, l.answer, l.vote])).toEqual([['ann', 'a1', 'down'], ['bo', 'a1', 'up'], ['ann', 'a2', 'down']]);
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['a folder', (dir: string) => dir, 'it is a folder'],
    ['under a file', (dir: string) => path.join(dir, 'votes.jsonl', 'x.jsonl'), 'a parent is a file'],
  ])('refuses a FEEDBACK_FILE that is %s at start-up, naming the variable', async (_name, target, why) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'citebot-feedback-'));
    await writeFile(path.join(dir, 'votes.jsonl'), '');
    const file = target(dir);
    await expect(new FeedbackLog(file).check()).rejects.toMatchObject({ message: `Invalid FEEDBACK_FILE=${JSON.stringify(file)}: cannot write there (${why}).` });
    await rm(dir, { recursive: true, force: true });
  });
});

describe('log redaction', () => {
  const token = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.abcdefghijklmnopqrstuvwxyz0123';

  it.each([
    [`Authorization: Bot ${token}`, 'Authorization: Bot [redacted]'],
    ['Provided token: MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.***', 'Provided token: [redacted].[redacted].***'],
    ['PATCH /webhooks/123456789012345678/aW50ZXJhY3Rpb246OTg3NjU0MzIxMDk4NzY1NDMyMQ/messages/@original', 'PATCH /webhooks/123456789012345678/[redacted]/messages/@original'],
    ['another bot: OTk5OTk5OTk5OTk5OTk5OTk5.YbCdEf.zYxWvUtSrQpOnMlKjIhGfEdCbA9', 'another bot: [redacted]'],
  ])('%s → %s', (line, clean) => {
    expect(redact(line, [token])).toBe(clean);
  });

  it('redacts error stacks before they reach the sink', () => {
    const lines: string[] = [];
    const log = redactingLog({ info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) }, [token]);
    log.error('login failed', new Error(`bad token ${token}`));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^login failed: Error: bad token \[redacted\]\n\s+at /);
  });
});

describe('mentions', () => {
  it.each([
    ['<@42> Who led the talks?', 'Who led the talks?'],
    ['<@!42>   who\n led <@42> them', 'who led them'],
    ['<@42>', ''],
    ['<@43> not me', '<@43> not me'],
  ])('questionOf(%j) = %j', (content, question) => {
    expect(questionOf(content, '42')).toBe(question);
  });
});
