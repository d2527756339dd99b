/**
 * `citebot ask` as a user runs it (the real binary, offline, keyword mode):
 * anything typed in the question box, and an index found damaged at start-up.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOT_FOUND } from '../../src/cli/format.js';
import { ingest } from '../../src/library/ingest.js';
import { citebot, seedWorkspace } from '../helpers/cli.js';

const RUBIO = 'A Trump administration team led by Secretary of State Marco Rubio';
const EXTRA = 'The harbour master rings the brass bell at dawn to open the quay for the fishing boats.';

type Workspace = Awaited<ReturnType<typeof seedWorkspace>>;
const workspaces: Workspace[] = [];

async function workspace(): Promise<Workspace> {
  const ws = await seedWorkspace();
  workspaces.push(ws);
  return ws;
}

afterAll(async () => {
  await Promise.all(workspaces.map((ws) => ws.cleanup()));
});

function ask(ws: Workspace, args: string[], input = '') {
  return citebot(['ask', '--docs', ws.docs, '--index', ws.index, ...args], { cwd: ws.dir, input });
}

describe('citebot ask: the question box', () => {
  let ws: Workspace;
  beforeAll(async () => {
    ws = await workspace();
    await ingest({ docsDir: ws.docs, indexDir: ws.index, embedder: null, warn: () => undefined });
  });

  it('answers each line of piped input with one JSON object, whatever was typed', async () => {
    const questions = [
      'Who led the American team in Riyadh? '.repeat(170).slice(0, 6000).trim(),
      '😀🎉🔥 👍🏽',
      '**__~~||`` > # [](<>) ```',
      '@everyone @here <@123456789012345678> <@&223456789012345678> who led the American team in Riyadh?',
      '\u202e\u200bWho led the American team?\u200f',
      `${'x'.repeat(5000)} \u0000 ${'😀'.repeat(500)}`,
    ];
    const result = await ask(ws, ['--json'], `${questions.join('\n')}\n`);
    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(/unexpected error/);
    const answers = result.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(answers.map((a) => a.question)).toEqual(questions);
    expect(answers[0].answered).toBe(true);
    expect(answers[0].results.map((r: { text: string }) => r.text).join('\n')).toContain(RUBIO);
    expect(answers.slice(1, 3).map((a) => [a.answered, a.results])).toEqual([
      [false, []],
      [false, []],
    ]);
  });

  it('says plainly that nothing answers a question made only of emoji', async () => {
    const result = await ask(ws, ['😀🎉🔥']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${NOT_FOUND}\n\n`);
  });

  it.each([
    ['an empty', ''],
    ['a blank', '   '],
  ])('refuses %s question in one line with an example, exit code 1', async (_name, question) => {
    const result = await ask(ws, [question]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    // Refused before the model or the index is touched: no keyword-mode notice, no ingest.
    expect(result.stderr).toBe('citebot: The question is empty. Ask something, e.g. citebot ask "Who led the talks?"\n');
  });
});

/** Ways to damage the current generation: half a file, or a file gone. */
const DAMAGES: Array<[string, string, (file: string) => Promise<void>, RegExp]> = [
  ['a truncated index.json', 'index.json', (f) => fsp.truncate(f, 100), /index\.json is truncated or not JSON/],
  ['a garbled manifest.json', 'manifest.json', (f) => fsp.writeFile(f, '{"format":1,"mo'), /manifest\.json is truncated or not JSON/],
];

/** The generation CURRENT names. */
async function currentGeneration(index: string): Promise<{ generation: string; previous: string | null }> {
  return JSON.parse(await fsp.readFile(path.join(index, 'CURRENT'), 'utf8'));
}

describe('citebot ask with a damaged index', () => {
  it.each(DAMAGES)('%s, with a previous generation kept: answers from it, with one warning naming the rebuild command', async (_name, file, damage, reason) => {
    const ws = await workspace();
    await fsp.writeFile(path.join(ws.docs, 'harbour.txt'), `${EXTRA}\n`);
    await ingest({ docsDir: ws.docs, indexDir: ws.index, embedder: null, warn: () => undefined });
    await fsp.rm(path.join(ws.docs, 'harbour.txt'));
    await ingest({ docsDir: ws.docs, indexDir: ws.index, embedder: null, warn: () => undefined });
    const { generation, previous } = await currentGeneration(ws.index);
    await damage(path.join(ws.index, generation, file));

    const result = await ask(ws, ['--json'], 'Who led the American team in Riyadh?\nWho rings the brass bell at dawn?\n');
    expect(result.code).toBe(0);
    const warnings = result.stderr.split('\n').filter((line) => line.startsWith('citebot:') && !/keyword mode/i.test(line));
    expect(warnings).toEqual([expect.stringMatching(reason)]);
    expect(warnings[0]).toContain(`Using the previous one, ${previous}; run npx citebot ingest --index ${ws.index} to rebuild.`);
    const [team, bell] = result.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(team.results[0].text).toContain(RUBIO);
    // The previous generation is what it held: the harbour file, deleted since, is still there.
    expect(bell.results[0]).toMatchObject({ source: 'harbour.txt' });
  });

  it.each(DAMAGES)('%s, with nothing to fall back on: refused in one line with the rebuild command', async (_name, file, damage, reason) => {
    const ws = await workspace();
    await ingest({ docsDir: ws.docs, indexDir: ws.index, embedder: null, warn: () => undefined });
    await damage(path.join(ws.index, (await currentGeneration(ws.index)).generation, file));

    const refused = await ask(ws, ['Who led the American team in Riyadh?']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    const errors = refused.stderr.split('\n').filter((line) => line.startsWith('citebot:') && !/keyword mode/i.test(line));
    expect(errors).toEqual([expect.stringMatching(new RegExp(`^citebot: The index in ${ws.index} is damaged: ${reason.source}\\. Rebuild it: npx citebot ingest --index ${ws.index}$`))]);
  });

  it('the rebuild command the refusal names repairs the index', async () => {
    const ws = await workspace();
    await ingest({ docsDir: ws.docs, indexDir: ws.index, embedder: null, warn: () => undefined });
    await fsp.truncate(path.join(ws.index, (await currentGeneration(ws.index)).generation, 'index.json'), 100);

    const rebuilt = await citebot(['ingest', '--docs', ws.docs, '--index', ws.index], { cwd: ws.dir });
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.stderr).toMatch(/Rebuilding the index from scratch: The index in .* is damaged: index\.json is truncated/);
    const after = await ask(ws, ['Who led the American team in Riyadh?']);
    expect(after.code).toBe(0);
    expect(after.stderr).not.toMatch(/damaged/);
    expect(after.stdout.replace(/\s+/g, ' ')).toContain(RUBIO);
  });
});
