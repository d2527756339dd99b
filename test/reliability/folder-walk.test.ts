/**
 * One walk of the docs folder for the loader, the staleness check and the
 * watcher (src/documents/walk.ts): a link out of the folder is never
 * followed or recorded, an unreadable file is skipped the same way
 * everywhere, and a very deep tree costs no repeated realpath.
 */
import { spawn } from 'node:child_process';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readDocuments } from '../../src/documents/load.js';
import { walkFolder } from '../../src/documents/walk.js';
import { ingest, isStale } from '../../src/library/ingest.js';
import { readManifest } from '../../src/index/store.js';
import { openLibrary } from '../../src/library/library.js';
import { BIN, offlineEnv, type CliResult } from '../helpers/cli.js';
import { shareWithNobody, unprivileged } from '../helpers/as-nobody.js';

let tmp: string;
let docsDir: string;
let indexDir: string;
let outside: string;
let warnings: string[];

beforeEach(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'citebot-walk-'));
  docsDir = path.join(tmp, 'docs');
  indexDir = path.join(tmp, 'index');
  outside = path.join(tmp, 'outside');
  warnings = [];
  await fsp.mkdir(path.join(docsDir, 'guides'), { recursive: true });
  await fsp.writeFile(path.join(docsDir, 'harbour.txt'), 'The harbour master rings the brass bell at dawn to open the quay.\n');
  await fsp.writeFile(path.join(docsDir, 'guides/orchard.md'), '# Orchard\n\nThe orchard keeper prunes the apple trees every February.\n');
  await fsp.mkdir(outside);
  await fsp.writeFile(path.join(outside, 'secret.txt'), 'TOP SECRET outside text about the harbour master.\n');
});

afterEach(async () => {
  await fsp.chmod(path.join(docsDir, 'harbour.txt'), 0o644).catch(() => undefined);
  await fsp.rm(tmp, { recursive: true, force: true });
});

const warn = (line: string): void => void warnings.push(line);
const index = () => ingest({ docsDir, indexDir, embedder: null, warn });

describe('a symlink to a folder outside the docs folder', () => {
  it.each([
    ['the whole disk (docs/root -> /)', () => '/'],
    ['a folder next to the docs folder', () => outside],
  ])('to %s is skipped by ingest, never recorded, and changes behind it never make the index stale', async (_name, target) => {
    await fsp.symlink(target(), path.join(docsDir, 'root'));
    const summary = await index();

    expect(summary.files).toBe(2);
    expect(summary.skipped).toContainEqual({ file: 'root', reason: 'symlink points outside the docs folder' });
    const manifest = await readManifest(indexDir);
    const recorded = [...Object.keys(manifest!.files), ...Object.keys(manifest!.skipped ?? {})];
    expect(recorded.sort()).toEqual(['guides/orchard.md', 'harbour.txt']);

    await fsp.writeFile(path.join(outside, 'secret.txt'), 'TOP SECRET, edited: now much longer than before it was.\n');
    await fsp.writeFile(path.join(outside, 'new.txt'), 'A new outside file.\n');
    expect(await isStale(docsDir, indexDir)).toBe(false);
  });

  it('is answered from without ever quoting what is behind the link', async () => {
    await fsp.symlink(outside, path.join(docsDir, 'root'));
    const library = await openLibrary({ docsDir, indexDir, embedder: null, answerThreshold: 0, topK: 5, warn });
    const answer = await library.ask('What does the harbour master ring?');
    expect(answer.results.map((hit) => hit.passage.file)).toEqual(['harbour.txt']);
    expect(library.files()).toEqual(['guides/orchard.md', 'harbour.txt']);
  });
});

describe('the walk', () => {
  it('lists each folder once and never descends into links, hidden folders or the index folder', async () => {
    await fsp.symlink(outside, path.join(docsDir, 'root'));
    await fsp.symlink('guides', path.join(docsDir, 'alias'));
    await fsp.mkdir(path.join(docsDir, '.git'));
    await fsp.writeFile(path.join(docsDir, '.git', 'HEAD.txt'), 'ref: main');
    await fsp.mkdir(path.join(docsDir, 'index'));
    await fsp.writeFile(path.join(docsDir, 'index', 'README.md'), 'the index folder');
    const walk = await walkFolder(docsDir, { exclude: [path.join(docsDir, 'index')] });
    expect(walk.files.map((f) => f.file)).toEqual(['guides/orchard.md', 'harbour.txt']);
    expect(walk.folders).toEqual(['', 'guides']);
    expect(walk.skipped).toEqual([
      { file: '.git', reason: 'hidden folder' },
      { file: 'alias', reason: 'symlink to guides (files are read once, under their real name)' },
      { file: 'root', reason: 'symlink points outside the docs folder' },
    ]);
  });

  // A ceiling against a hang only: this takes seconds alone (minutes before the fix), more on a loaded machine.
  it('walks a 1,800-deep tree and indexes the file at the bottom, with no realpath per level', { timeout: 300_000 }, async () => {
    // Short names keep the deepest path under PATH_MAX (4,096 bytes).
    const parts = Array.from({ length: 1800 }, () => 'd');
    let dir = docsDir;
    for (let i = 0; i < parts.length; i += 100) {
      dir = path.join(dir, ...parts.slice(i, i + 100));
      await fsp.mkdir(dir, { recursive: true });
    }
    await fsp.writeFile(path.join(dir, 'deep.txt'), 'The deepest note says the lantern oil is kept in the cellar.\n');
    const summary = await index();
    expect(summary.files).toBe(3);
    expect(await isStale(docsDir, indexDir)).toBe(false);
    const library = await openLibrary({ docsDir, indexDir, embedder: null, answerThreshold: 0, topK: 1, warn });
    const [hit] = (await library.ask('Where is the lantern oil kept?')).results;
    expect(hit?.passage.file).toBe(`${parts.join('/')}/deep.txt`);
  });

  it('says once that the docs folder is gone when it is deleted between the walk and the reads', async () => {
    for (let i = 0; i < 200; i++) await fsp.writeFile(path.join(docsDir, `note-${i}.txt`), `Note ${i} about the harbour.\n`);
    const walk = await walkFolder(docsDir);
    await fsp.rm(docsDir, { recursive: true, force: true });
    const read = async () => {
      for await (const _doc of readDocuments(walk, warn)) void _doc;
    };
    await expect(read()).rejects.toThrow(/^Docs folder not found: .*docs$/);
    expect(warnings).toEqual([]);
  });
});

describe('as a non-root user', () => {
  const drop = unprivileged();

  /** Runs the real CLI as that user. */
  function asUser(args: string[]): Promise<CliResult> {
    const prefix = drop as string[];
    const argv = [...prefix, process.execPath, BIN, ...args];
    return new Promise((resolve, reject) => {
      const child = spawn(argv[0]!, argv.slice(1), { cwd: tmp, env: offlineEnv({ HOME: tmp }) });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end();
    });
  }

  it.skipIf(typeof drop === 'string')(`an unreadable, recently changed file (chmod 000) is skipped by ask as ingest skips it${typeof drop === 'string' ? ` (skipped: ${drop})` : ''}`, { timeout: 300_000 }, async () => {
    await shareWithNobody(docsDir, tmp);
    await shareWithNobody(path.join(docsDir, 'guides'), tmp);
    const first = await asUser(['ingest', '--docs', docsDir, '--index', indexDir]);
    expect(first.stderr).not.toMatch(/error/i);
    expect(first.code).toBe(0);

    // Same size, new time: the staleness check must hash it, and can't read it.
    const file = path.join(docsDir, 'harbour.txt');
    await fsp.writeFile(file, 'The harbour master rings the steel bell at dawn to open the quay.\n');
    await fsp.utimes(file, new Date(), new Date(Date.now() + 60_000));
    await fsp.chmod(file, 0o000);

    const asked = await asUser(['ask', '--docs', docsDir, '--index', indexDir, '--json', 'Who prunes the apple trees?']);
    expect(asked.stderr).not.toMatch(/unexpected error/);
    expect(asked.stderr).toContain('1 skipped: 1 permission denied; --verbose lists them.');
    expect(asked.code).toBe(0);
    expect(JSON.parse(asked.stdout)).toMatchObject({ results: [{ source: 'guides/orchard.md' }] });
  });

  it.skipIf(typeof drop === 'string')('a read-only index folder with stale docs: ask answers from the intact index, with one warning', { timeout: 300_000 }, async () => {
    await index(); // written by this (root) process: the unprivileged user can read it, not write it
    await fsp.writeFile(path.join(docsDir, 'bakery.txt'), 'The baker fires the stone oven at four to bake rye loaves.\n');
    await shareWithNobody(tmp, tmp);

    const asked = await asUser(['ask', '--docs', docsDir, '--index', indexDir, '--json', 'Who prunes the apple trees?']);
    expect(asked.stderr).not.toMatch(/unexpected error/);
    expect(asked.stderr).toMatch(/The documents changed, but the index can't be updated, so answers come from the index as it is\. Could not write the index in .*: permission denied \(EACCES\)/);
    expect(asked.code).toBe(0);
    expect(JSON.parse(asked.stdout)).toMatchObject({ results: [{ source: 'guides/orchard.md' }] });
  });
});

