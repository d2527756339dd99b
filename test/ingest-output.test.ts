/**
 * What `citebot ingest` prints, as a user sees it: one sentence for what was
 * indexed and one grouped line for what was skipped, however many files.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { citebot, seedWorkspace } from './helpers/cli.js';

let ws: Awaited<ReturnType<typeof seedWorkspace>>;

beforeAll(async () => {
  ws = await seedWorkspace();
  for (const name of ['app.js', 'util.js', 'theme.js']) await fs.writeFile(path.join(ws.docs, name), 'console.log(1);\n');
  await fs.writeFile(path.join(ws.docs, 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0]));
  await fs.writeFile(path.join(ws.docs, 'empty.md'), '');
});
afterAll(() => ws.cleanup());

describe('citebot ingest output', () => {
  it('ends with the summary sentence and one grouped line of skipped files', async () => {
    const result = await citebot(['ingest', '--docs', ws.docs, '--index', ws.index]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Indexed 1 file, \d+ passages \(1 new, 0 changed, 0 removed\) in keyword mode in [\d.]+ s\.\n$/);
    const lines = result.stderr.trim().split('\n').filter((line) => !line.includes('Keyword mode'));
    expect(lines).toEqual(['5 skipped: 4 unsupported type (.js, .png), 1 empty; --verbose lists them.']);
  });

  it('lists every skipped file, one line each, with --verbose', async () => {
    const result = await citebot(['ingest', '--verbose', '--docs', ws.docs, '--index', ws.index]);
    expect(result.code).toBe(0);
    const skipped = result.stderr.split('\n').filter((line) => line.startsWith('Skipped '));
    expect(skipped.map((line) => line.split(':')[0])).toEqual([
      'Skipped app.js', 'Skipped empty.md', 'Skipped logo.png', 'Skipped theme.js', 'Skipped util.js',
    ]);
  });
});
