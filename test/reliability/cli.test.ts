/**
 * `citebot ask` as a user runs it (in-process through `main`, offline, keyword mode):
 * anything typed in the question box, and an index found damaged at start-up.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NEXT_STEP, NOT_FOUND } from '../../src/cli/format.js';
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
  return citebot(['ask', '--docs', ws.docs, '--index', ws.index, ...args], { input });
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
    expect(result.stdout).toBe(`${NOT_FOUND}\n${NEXT_STEP}\n\n`);
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
  ['a truncated passages.bin', 'passages.bin', (f) => fsp.truncate(f, 100), /passages\.bin is truncated/],
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
    await fsp.truncate(path.join(ws.index, (await currentGeneration(ws.index)).generation, 'passages.bin'), 100);

    const rebuilt = await citebot(['ingest', '--docs', ws.docs, '--index', ws.index]);
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.stderr).toMatch(/Rebuilding the index from scratch: The index in .* is damaged: passages\.bin is truncated/);
    const after = await ask(ws, ['Who led the American team in Riyadh?']);
    expect(after.code).toBe(0);
    expect(after.stderr).not.toMatch(/damaged/);
    expect(after.stdout.replace(/\s+/g, ' ')).toContain(RUBIO);
  });
});

const CLAMS = 'The crate on the third shelf holds forty clams packed in wet seaweed for the market.';

/** Replaces `from` by `to` (same length) in every file of the current generation that holds it; returns their names. */
async function editEverywhere(index: string, from: string, to: string): Promise<string[]> {
  const genDir = path.join(index, (await currentGeneration(index)).generation);
  const edited: string[] = [];
  for (const name of await fsp.readdir(genDir)) {
    const bytes = await fsp.readFile(path.join(genDir, name));
    if (!bytes.includes(from)) continue;
    await fsp.writeFile(path.join(genDir, name), Buffer.from(bytes.toString('latin1').replaceAll(from, to), 'latin1'));
    edited.push(name);
  }
  return edited;
}

describe('citebot ask on an index changed after it was written (integrity)', () => {
  it('never quotes a passage edited in the index files as verbatim ("forty clams" → "fifty clams")', async () => {
    const ws = await workspace();
    await fsp.writeFile(path.join(ws.docs, 'clams.txt'), `${CLAMS}\n`);
    await ingest({ docsDir: ws.docs, indexDir: ws.index, embedder: null, warn: () => undefined });
    expect(await editEverywhere(ws.index, 'forty clams', 'fifty clams')).not.toEqual([]);

    const result = await ask(ws, ['How many clams does the crate on the third shelf hold?']);
    expect(result.stdout).not.toContain('fifty');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^citebot: The index in ${ws.index} is damaged: passages\\.bin does not match its checksum in manifest\\.json .*Rebuild it: npx citebot ingest --index ${ws.index}$`, 'm'));
  });

  it('refuses, with the rebuild command, a keyword.bin whose weights are NaN (was: "nothing answers", exit 0)', async () => {
    const ws = await workspace();
    await ingest({ docsDir: ws.docs, indexDir: ws.index, embedder: null, warn: () => undefined });
    const genDir = path.join(ws.index, (await currentGeneration(ws.index)).generation);
    const terms = (JSON.parse(await fsp.readFile(path.join(genDir, 'keyword.json'), 'utf8')) as { terms: string[] }).terms.length;
    const bin = await fsp.readFile(path.join(genDir, 'keyword.bin'));
    const postings = bin.readUInt32LE(4 * terms);
    for (let p = 0; p < postings; p++) bin.writeFloatLE(NaN, 4 * (terms + 1 + postings + p));
    await fsp.writeFile(path.join(genDir, 'keyword.bin'), bin);

    const result = await ask(ws, ['Who led the American team in Riyadh?']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(new RegExp(`^citebot: The index in ${ws.index} is damaged: keyword\\.bin .*Rebuild it: npx citebot ingest --index ${ws.index}$`, 'm'));
  });
});
