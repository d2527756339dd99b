/**
 * Crash torture for ingest (`npm run torture`, not part of `npm test`).
 *
 * Builds a ~5k-passage docs folder, then again and again: adds, edits and
 * deletes files, starts an ingest in a child process and SIGKILLs it at a
 * random moment. After every kill the index must load and hold exactly the
 * passages of the folder as it was at the last finished ingest, or exactly
 * those of the folder now: nothing torn, no vector that belongs to another
 * passage. A final ingest must converge to the folder's true content.
 *
 * Usage: node --import tsx scripts/torture.ts [kills=50]
 */
import { spawn } from 'node:child_process';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { loadDocuments } from '../src/documents/load.js';
import { splitDocument } from '../src/documents/split.js';
import { openIndex } from '../src/index/store.js';
import type { LoadedIndex, Passage } from '../src/types.js';
import { fakeEmbedder } from '../test/helpers/fake-embedder.js';

const DIM = 384;
const FILES = 100;
const PARAGRAPHS_PER_FILE = 50;
const CHILD = fileURLToPath(new URL('../test/helpers/ingest-child.ts', import.meta.url));
const embedder = fakeEmbedder(DIM);

interface Tally {
  kills: number;
  /** Kills after which the index loaded as one whole state. */
  recoveries: number;
  /** Runs that finished before the chosen moment: no kill, but still checked. */
  finished: number;
  /** Kills per phase the child was in. */
  killedIn: Record<string, number>;
  keptOld: number;
  gotNew: number;
  mismatches: number;
}

/** A deterministic pseudo-random stream, so a failing run can be replayed from its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return state / 2 ** 32;
  };
}

function paragraph(file: number, index: number, version: number): string {
  return `File ${file} paragraph ${index} revision ${version} talks about topic ${(file * 31 + index) % 97} in plain words.`;
}

async function writeFile(docsDir: string, file: number, version: number): Promise<void> {
  const body = Array.from({ length: PARAGRAPHS_PER_FILE }, (_, i) => paragraph(file, i, version)).join('\n\n');
  await fsp.writeFile(path.join(docsDir, `doc-${String(file).padStart(4, '0')}.txt`), `${body}\n`);
}

/** One to three random additions, edits and deletions. */
async function mutate(docsDir: string, rand: () => number, next: { file: number }): Promise<void> {
  const names = (await fsp.readdir(docsDir)).sort();
  for (let n = 1 + Math.floor(rand() * 3); n > 0; n--) {
    const pick = names[Math.floor(rand() * names.length)]!;
    const choice = rand();
    if (choice < 0.35) await writeFile(docsDir, next.file++, 0);
    else if (choice < 0.7) await writeFile(docsDir, Number(/\d+/.exec(pick)![0]), Math.floor(rand() * 1e6));
    else if (names.length > FILES / 2) await fsp.rm(path.join(docsDir, pick), { force: true });
  }
}

/** The passages an ingest of the folder must produce right now. */
async function expectedPassages(docsDir: string): Promise<Passage[]> {
  return (await loadDocuments(docsDir, () => undefined)).flatMap((doc) => splitDocument(doc));
}

function key(p: Passage): string {
  return JSON.stringify([p.id, p.file, p.paragraph, p.part, p.lines, p.title, p.headings, p.text, p.hash, p.searchable]);
}

function samePassages(a: Passage[], b: Passage[]): boolean {
  return a.length === b.length && a.every((p, i) => key(p) === key(b[i]!));
}

/** Every row holds its own passage's vector (zero for unsearchable ones): no stale or shifted rows. */
async function vectorsBelong(index: LoadedIndex & { vectors: Float32Array | null }): Promise<boolean> {
  if (index.vectors?.length !== index.passages.length * DIM) return false;
  const expected = await embedder.embed(index.passages.map((p) => p.text));
  return index.passages.every((p, row) => {
    const got = index.vectors!.subarray(row * DIM, (row + 1) * DIM);
    return got.every((value, j) => value === (p.searchable ? expected[row * DIM + j] : 0));
  });
}

/** Phases of a child ingest, in order; `start` is start-up up to the end of reading documents. */
const PHASES = ['start', 'read', 'embed', 'write'] as const;
type Phase = (typeof PHASES)[number];

/** When to kill: `fraction` of the way through `phase` (judged by the last uninterrupted run). */
interface KillPlan {
  phase: Phase;
  fraction: number;
}

/** How long each phase took in the latest uninterrupted run. */
const phaseMs: Record<Phase, number> = { start: 1000, read: 100, embed: 100, write: 100 };

/**
 * Runs the child ingest and kills it as planned, unless it finishes first.
 * Returns the phase it was in when killed, or null when it finished.
 */
async function ingestChild(docsDir: string, indexDir: string, plan: KillPlan | null): Promise<Phase | null> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, docsDir, indexDir, String(DIM)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const entered = new Map<Phase, number>([['start', performance.now()]]);
  let phase: Phase = 'start';
  const timer = new AbortController();
  const killAt = (): void => {
    if (plan?.phase !== phase) return;
    void sleep(plan.fraction * phaseMs[phase], null, { signal: timer.signal }).then(() => child.kill('SIGKILL'), () => undefined);
  };
  killAt();
  createInterface({ input: child.stdout }).on('line', (line) => {
    const next = PHASES.find((p) => line === `phase ${p}`);
    if (!next) return;
    phase = next;
    entered.set(next, performance.now());
    killAt();
  });
  const { code, signal } = await new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  timer.abort();
  if (signal === 'SIGKILL') return phase;
  if (code !== 0) throw new Error(`ingest child failed with exit code ${code}`);
  const ended = performance.now();
  PHASES.forEach((p, i) => {
    const from = entered.get(p);
    const to = PHASES.slice(i + 1).map((q) => entered.get(q)).find((t) => t !== undefined) ?? ended;
    if (from !== undefined) phaseMs[p] = to - from;
  });
  return null;
}

async function main(): Promise<void> {
  const targetKills = Number(process.argv[2] ?? 50);
  const seed = Date.now() % 1e9;
  const rand = random(seed);
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'citebot-torture-'));
  const docsDir = path.join(root, 'docs');
  const indexDir = path.join(root, 'index');
  await fsp.mkdir(docsDir);
  for (let file = 0; file < FILES; file++) await writeFile(docsDir, file, 0);

  const started = performance.now();
  await ingestChild(docsDir, indexDir, null);
  let old = await expectedPassages(docsDir);
  const timings = PHASES.map((p) => `${p} ${Math.round(phaseMs[p])}`).join(', ');
  console.log(`torture: seed ${seed}, ${old.length} passages, first ingest took (ms) ${timings}`);

  const tally: Tally = { kills: 0, recoveries: 0, finished: 0, killedIn: {}, keptOld: 0, gotNew: 0, mismatches: 0 };
  const next = { file: FILES };
  while (tally.kills < targetKills) {
    await mutate(docsDir, rand, next);
    const fresh = await expectedPassages(docsDir);
    const plan: KillPlan = { phase: PHASES[Math.floor(rand() * PHASES.length)]!, fraction: rand() * 1.2 };
    const killedIn = await ingestChild(docsDir, indexDir, plan);
    const killed = killedIn !== null;
    if (killed) {
      tally.kills++;
      tally.killedIn[killedIn] = (tally.killedIn[killedIn] ?? 0) + 1;
    } else {
      tally.finished++;
    }

    // A crash must never damage the current generation: falling back to the previous one counts as a failure.
    const warnings: string[] = [];
    const index = await openIndex(indexDir, (line) => warnings.push(line));
    const holds = samePassages([...index.passages], fresh) ? 'new' : samePassages([...index.passages], old) ? 'old' : null;
    if (holds === null || warnings.length > 0 || !(await vectorsBelong(index))) {
      tally.mismatches++;
      console.log(`  mismatch after run ${tally.kills + tally.finished}: holds ${holds ?? 'neither state'}; ${warnings.join(' ')}`);
      continue;
    }
    if (killed) tally.recoveries++;
    if (holds === 'new') {
      tally.gotNew++;
      old = fresh;
    } else {
      tally.keptOld++;
    }
  }

  await ingestChild(docsDir, indexDir, null);
  const final = await openIndex(indexDir);
  const converged = samePassages([...final.passages], await expectedPassages(docsDir)) && (await vectorsBelong(final));
  const leftovers = (await fsp.readdir(indexDir)).filter((name) => name.includes('.tmp-') || name === 'ingest.lock');
  const generations = (await fsp.readdir(indexDir)).filter((name) => name.startsWith('gen-')).length;
  if (!converged || leftovers.length > 0 || generations > 2) tally.mismatches++;

  console.log(
    `torture: ${tally.kills} kills, ${tally.recoveries} recoveries (${tally.keptOld} old state, ${tally.gotNew} new state, ` +
      `${tally.finished} runs finished before their kill), ${tally.mismatches} mismatches; ` +
      `killed in: ${Object.entries(tally.killedIn).map(([phase, n]) => `${phase} ${n}`).join(', ')}; final ingest ` +
      `${converged ? 'converged' : 'DID NOT converge'} (${final.passages.length} passages, ${generations} generations, ` +
      `${leftovers.length} leftovers) in ${Math.round((performance.now() - started) / 1000)} s`,
  );
  await fsp.rm(root, { recursive: true, force: true });
  if (tally.mismatches > 0) process.exitCode = 1;
}

await main();
