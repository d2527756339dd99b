/**
 * Live documents: `serve --watch` keeps the index in step with a folder that
 * is being edited, while questions keep being answered. Real files, the real
 * `fs.watch`, a real ingest (with a fake embedder that can be held mid-run).
 */
import { once } from 'node:events';
import { mkdir, mkdtemp, rename, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openLibrary, type IngestSummary, type Library } from '../../src/library/library.js';
import { DocsWatcher, type WatchOptions } from '../../src/library/watcher.js';
import { fillDisk, heldEmbedder, until, type HeldEmbedder } from '../helpers/reliability-faults.js';

const DOCS: Record<string, string> = {
  'harbour.txt': 'The harbour master rings the brass bell at dawn to open the quay.\n\nFishing boats leave the harbour before the tide turns.\n',
  'orchard.md': '# Orchard\n\nThe orchard keeper prunes the apple trees every February with a curved saw.\n',
  'archive/lighthouse.txt': 'The lighthouse keeper polishes the great lens every evening before lighting the lamp.\n',
};

let dir: string;
let docsDir: string;
let embedder: HeldEmbedder;
let library: Library;
let ingests: IngestSummary[];
let warnings: string[];
let watcher: DocsWatcher | null;
/** Questions asked so far: the embedder sees them too, in semantic mode. */
const asked = new Set<string>();

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'citebot-watch-'));
  docsDir = path.join(dir, 'docs');
  await writeDocs(DOCS);
  embedder = heldEmbedder();
  ingests = [];
  warnings = [];
  watcher = null;
});

afterEach(async () => {
  watcher?.close();
  embedder.release();
  await rm(dir, { recursive: true, force: true });
});

async function writeDocs(docs: Record<string, string>): Promise<void> {
  for (const [file, text] of Object.entries(docs)) {
    await mkdir(path.dirname(path.join(docsDir, file)), { recursive: true });
    await writeFile(path.join(docsDir, file), text);
  }
}

/** Opens the library (first ingest) and starts watching; the poll is off unless a test turns it on. */
async function serve(options: WatchOptions = {}, indexDir = path.join(dir, 'index')): Promise<void> {
  library = await openLibrary({
    docsDir,
    indexDir,
    embedder,
    answerThreshold: 0.5,
    topK: 3,
    warn: (line) => warnings.push(line),
    onIngest: (summary) => ingests.push(summary),
  });
  ingests = [];
  embedder.calls.length = 0;
  watcher = library.watch((line) => warnings.push(line), { debounceMs: 60, pollMs: 0, ...options });
  await watcher.ready();
}

/** Resolves when the watcher has seen a file event for `file` (relevant or not). Call before making the change. */
function seen(file: string): Promise<boolean> {
  return new Promise((resolve) => {
    const listener = (name: string, relevant: boolean): void => {
      if (name !== file) return;
      watcher!.off('event', listener);
      resolve(relevant);
    };
    watcher!.on('event', listener);
  });
}

/** Resolves after `count` more polls have finished. */
function polls(count: number): Promise<void> {
  return new Promise((resolve) => {
    let left = count;
    const listener = (): void => {
      if (--left > 0) return;
      watcher!.off('check', listener);
      resolve();
    };
    watcher!.on('check', listener);
  });
}

/** The texts the library would quote for `question`. */
async function quoted(question: string): Promise<string[]> {
  asked.add(question);
  return (await library.ask(question, { topK: 10 })).results.map((hit) => `${hit.passage.file}: ${hit.passage.text}`);
}

/** Waits until `question` quotes a passage containing `text`. */
function untilQuoted(question: string, text: string, timeoutMs = 10_000): Promise<true> {
  return until(async () => ((await quoted(question)).some((q) => q.includes(text)) ? true : null), timeoutMs, `"${text}" to be quoted`);
}

describe('a watched docs folder', () => {
  it('picks up an added, a changed and a deleted file, re-embedding only the new passages', async () => {
    await serve();
    await writeFile(path.join(docsDir, 'bakery.txt'), 'The baker fires the stone oven at four to bake rye loaves.\n');
    await writeFile(path.join(docsDir, 'orchard.md'), '# Orchard\n\nThe orchard keeper grafts pear branches every March with a sharp knife.\n');
    await unlink(path.join(docsDir, 'archive/lighthouse.txt'));

    await until(() => (library.files().join() === 'bakery.txt,harbour.txt,orchard.md' ? true : null), 10_000, 'the new file list');
    await untilQuoted('Who grafts pear branches?', 'grafts pear branches');
    expect(await quoted('When is the stone oven fired for rye loaves?')).toContainEqual(expect.stringContaining('bakery.txt: The baker fires'));
    expect(embedder.calls.flat().filter((text) => !asked.has(text)).sort()).toEqual([
      'The baker fires the stone oven at four to bake rye loaves.',
      'The orchard keeper grafts pear branches every March with a sharp knife.',
    ]);
  });

  it('never quotes or shows a deleted file once its re-index has finished', async () => {
    await serve();
    expect(await quoted('Who polishes the great lens of the lighthouse?')).toContainEqual(expect.stringContaining('lighthouse.txt'));
    await rm(path.join(docsDir, 'archive'), { recursive: true });

    await until(() => (library.files().includes('archive/lighthouse.txt') ? null : true), 10_000, 'the deletion');
    for (const question of ['Who polishes the great lens of the lighthouse?', 'lighthouse keeper lens lamp evening']) {
      expect((await quoted(question)).join('\n')).not.toContain('lighthouse');
    }
    expect(library.paragraph('archive/lighthouse.txt', 1)).toEqual([]);
    expect(library.paragraphCount('archive/lighthouse.txt')).toBe(0);
  });

  it('answers from the old index while a re-index runs, then swaps the new one in whole', async () => {
    await serve();
    embedder.holdNext();
    await writeFile(path.join(docsDir, 'harbour.txt'), 'The harbour master fires a green flare at dawn to open the quay.\n');
    await embedder.held();

    // Mid-ingest: the folder is already new, the answers are still the old index's, consistently.
    expect((await quoted('What does the harbour master do at dawn?')).join('\n')).toContain('rings the brass bell');
    expect((await quoted('green flare')).join('\n')).not.toContain('green flare');
    expect(library.paragraphCount('harbour.txt')).toBe(2);

    embedder.release();
    await untilQuoted('What does the harbour master do at dawn?', 'green flare');
    expect((await quoted('brass bell')).join('\n')).not.toContain('brass bell');
    expect(library.paragraphCount('harbour.txt')).toBe(1);
  });

  it('drops a file deleted while a re-index was running, in one more run', async () => {
    await serve();
    embedder.holdNext();
    await writeFile(path.join(docsDir, 'harbour.txt'), 'The harbour master fires a green flare at dawn to open the quay.\n');
    await embedder.held();
    const deletion = seen('orchard.md');
    await unlink(path.join(docsDir, 'orchard.md'));
    expect(await deletion).toBe(true); // the deletion's event arrived while the first run is still held
    embedder.release();

    await until(() => (library.files().includes('orchard.md') ? null : true), 10_000, 'orchard.md to go');
    expect((await quoted('Who prunes the apple trees?')).join('\n')).not.toContain('orchard');
    expect(ingests.length, JSON.stringify({ ingests, warnings })).toBe(2);
  });

  it('does not lose a change made while a /reindex that someone else started was running', async () => {
    await serve();
    embedder.holdNext();
    await writeFile(path.join(docsDir, 'bakery.txt'), 'The baker fires the stone oven at four to bake rye loaves.\n');
    const adminRun = library.reindex();
    await embedder.held();
    const edit = seen('harbour.txt');
    await writeFile(path.join(docsDir, 'harbour.txt'), 'The harbour master fires a green flare at dawn to open the quay.\n');
    await edit; // the watcher sees the edit and finds a reindex already running
    embedder.release();
    await adminRun;

    await untilQuoted('What does the harbour master do at dawn?', 'green flare');
  });

  it('collapses a burst of rapid edits into a few runs, and the last edit wins', async () => {
    await serve();
    for (let i = 1; i <= 30; i++) writeFileSync(path.join(docsDir, 'harbour.txt'), `The harbour master rang the bell ${i} times at dawn.\n`);

    await untilQuoted('How many times did the harbour master ring the bell?', 'rang the bell 30 times');
    // Every event of the burst was read before the run that saw edit 30 finished: idle means no run is left.
    await watcher!.idle();
    expect(ingests.length).toBeGreaterThanOrEqual(1);
    expect(ingests.length).toBeLessThan(5);
    expect((await quoted('harbour master rang the bell')).join('\n')).not.toMatch(/bell (?!30 )\d+ times/);
  });

  it.each([
    [
      'saved by rename (write a temp file, rename it over)',
      async (file: string, text: string) => {
        await writeFile(`${file}.tmp-save`, text);
        await rename(`${file}.tmp-save`, file);
      },
    ],
    [
      'deleted and written again',
      async (file: string, text: string) => {
        await unlink(file);
        await writeFile(file, text);
      },
    ],
  ])('keeps following a file %s, through later in-place edits', async (_how, save) => {
    await serve({ pollMs: 150 });
    const file = path.join(docsDir, 'harbour.txt');
    await save(file, 'The harbour master fires a green flare at dawn to open the quay.\n');
    await untilQuoted('What does the harbour master fire at dawn?', 'green flare');
    // Node 20's recursive fs.watch on Linux raises no event for these on the replaced file: the poll must catch them.
    await writeFile(file, 'The harbour master fires a red rocket at dawn to open the quay.\n');
    await untilQuoted('What does the harbour master fire at dawn?', 'red rocket');
    await writeFile(file, 'The harbour master fires a blue lantern at dawn to open the quay.\n', { flag: 'a' });
    await untilQuoted('Which lantern does the harbour master fire?', 'blue lantern');
  });

  it('ignores editor swap files and its own index folder inside the docs folder (no re-index loop)', async () => {
    await serve({ debounceMs: 40 }, path.join(docsDir, 'index'));
    await writeFile(path.join(docsDir, '.harbour.txt.swp'), 'vim swap bytes');
    await writeFile(path.join(docsDir, 'bakery.txt'), 'The baker fires the stone oven at four to bake rye loaves.\n');
    await untilQuoted('When is the stone oven fired?', 'stone oven');
    // A loop would re-index every ~40 ms (the lock file it writes is itself a change). Events arrive in
    // order, so once a later hidden file's event is in, so are the index writes' before it.
    const sentinel = seen('.sentinel');
    await writeFile(path.join(docsDir, '.sentinel'), 'x');
    expect(await sentinel).toBe(false);
    await watcher!.idle();
    expect(ingests).toHaveLength(1);
  });

  it('keeps serving the old index when the disk is full, warns once, and recovers when space is freed', async () => {
    await serve({ pollMs: 100 });
    const free = fillDisk(/^index\.json\.tmp-/);
    try {
      await writeFile(path.join(docsDir, 'harbour.txt'), 'The harbour master fires a green flare at dawn to open the quay.\n');
      await until(() => (warnings.some((w) => w.includes('ENOSPC')) ? true : null), 10_000, 'the ENOSPC warning');
      await polls(3); // several polls retry meanwhile
      await watcher!.idle();
      expect(warnings.filter((w) => w.includes('ENOSPC'))).toEqual([
        expect.stringMatching(/^Re-index after a file change failed; still serving the previous index\. Could not write the index in .*: the disk is full \(ENOSPC\)\. The previous index is unchanged; free some space and run: npx citebot ingest --index /),
      ]);
      expect((await quoted('What does the harbour master do at dawn?')).join('\n')).toContain('rings the brass bell');
    } finally {
      free();
    }
    await untilQuoted('What does the harbour master do at dawn?', 'green flare');
  });

  it('warns, and still polls, when the docs folder disappears; picks it up again when it returns', async () => {
    await serve({ pollMs: 100 });
    await rename(docsDir, `${docsDir}-away`);
    await until(() => (warnings.some((w) => /Docs folder not found/.test(w)) ? true : null), 10_000, 'the warning');
    expect(library.files()).toContain('harbour.txt');
    expect(warnings.filter((w) => /Docs folder not found/.test(w))).toHaveLength(1);
    await rename(`${docsDir}-away`, docsDir);
    await writeFile(path.join(docsDir, 'harbour.txt'), 'The harbour master fires a green flare at dawn to open the quay.\n');
    await untilQuoted('What does the harbour master do at dawn?', 'green flare');
  });

  it('never follows a link out of the folder: changes behind it start no re-index', async () => {
    const outside = path.join(dir, 'outside');
    await mkdir(outside);
    await writeFile(path.join(outside, 'secret.txt'), 'TOP SECRET text about the harbour master.\n');
    await symlink(outside, path.join(docsDir, 'root'));
    await serve({ pollMs: 50 });
    await writeFile(path.join(outside, 'secret.txt'), 'TOP SECRET, edited: the harbour master has a new secret.\n');
    await writeFile(path.join(outside, 'more.txt'), 'Another outside file.\n');
    await polls(2);
    await watcher!.idle();
    expect(ingests).toEqual([]);
    expect(library.files()).toEqual(['archive/lighthouse.txt', 'harbour.txt', 'orchard.md']);
  });

  it('watches a folder created while serving, without waiting for a poll', async () => {
    await serve();
    const created = seen('almanac');
    await mkdir(path.join(docsDir, 'almanac'));
    await created;
    await watcher!.idle(); // the run the new folder caused has started watching it
    await writeFile(path.join(docsDir, 'almanac/tides.txt'), 'The spring tide floods the lower quay twice a month.\n');
    await untilQuoted('When does the spring tide flood the quay?', 'spring tide');
  });
});

describe('the poll', () => {
  it('never starts a check while the last one is still running', async () => {
    let checks = 0;
    let finish: (stale: boolean) => void = () => undefined;
    let started: () => void = () => undefined;
    const slow = new Promise<boolean>((resolve) => (finish = resolve));
    const first = new Promise<void>((resolve) => (started = resolve));
    const target = {
      docsDir,
      indexDir: path.join(dir, 'index'),
      reindex: async () => undefined,
      inFlight: () => null,
      outOfDate: () => {
        checks++;
        started();
        return slow;
      },
    };
    const poller = new DocsWatcher(target, (line) => warnings.push(line), { pollMs: 20 });
    try {
      await first; // the first check is now inside outOfDate (its walk may take a while on a busy machine)
      await once(poller, 'check-skipped');
      await once(poller, 'check-skipped');
      expect(checks).toBe(1);
      finish(false);
      expect(await once(poller, 'check')).toEqual([false]);
    } finally {
      poller.close();
    }
  });
});
