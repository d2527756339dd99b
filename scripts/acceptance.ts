/**
 * `npm run acceptance`: the folder figures of issue 14, re-measured with the
 * real CLI in child processes, as a user runs it after `npm install` (the
 * built dist/, rebuilt first; keyword mode, no model, no network):
 *
 *   1. A docs folder (the seed article) with a link `root -> /`: `citebot
 *      ingest`, then `citebot ask`, each timed; target under 2 s each (they
 *      took 88 s and 171 s when the link was followed).
 *   2. Three 200 MB text files: `citebot ingest`, its peak resident memory
 *      (VmHWM, read by scripts/peak-memory.mjs as the process exits); target
 *      under 2 GB (4.9 GB when every document was held at once).
 *
 * Prints each figure with the machine's load average; exits non-zero when a
 * target is missed. Not part of `npm test`.
 *
 *   npm run acceptance                 # both
 *   npm run acceptance -- --only link  # or: --only memory
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, open, rm, symlink } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { PROJECT_DIR } from '../src/config.js';
import { corpusTexts, loadCorpusSource } from '../bench/corpus.js';

const BIN = path.join(PROJECT_DIR, 'bin', 'citebot.mjs');
const PEAK = path.join(PROJECT_DIR, 'scripts', 'peak-memory.mjs');
const SEED = path.join(PROJECT_DIR, 'seeds', '000_23d5e4e5b37788fb.txt');
const LINK_TARGET_S = 2;
/** `--file-mb N` for a quicker, smaller probe (the target then does not apply). */
const FILE_MB = process.argv.includes('--file-mb') ? Number(process.argv[process.argv.indexOf('--file-mb') + 1]) : 200;
const FILES = 3;
const MEMORY_TARGET_MB = 2048;

interface Run {
  code: number | null;
  seconds: number;
  peakMB: number | null;
  stdout: string;
  stderr: string;
}

const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : null;
if (only !== null && only !== 'link' && only !== 'memory') throw new Error(`--only takes link or memory, not ${String(only)}`);
buildIfStale();
const dir = await mkdtemp(path.join(tmpdir(), 'citebot-acceptance-'));
const failures: string[] = [];
try {
  if (only !== 'memory') await linkFolder(path.join(dir, 'link'));
  if (only !== 'link') await bigFiles(path.join(dir, 'memory'));
} finally {
  await rm(dir, { recursive: true, force: true });
}
if (failures.length > 0) {
  process.stdout.write(`FAIL ${failures.join('; ')}\n`);
  process.exitCode = 1;
}

async function linkFolder(root: string): Promise<void> {
  const docs = path.join(root, 'docs');
  await mkdir(docs, { recursive: true });
  await copyFile(SEED, path.join(docs, path.basename(SEED)));
  await symlink('/', path.join(docs, 'root'));
  const index = path.join(root, 'index');
  const load = loadText();
  const ingest = await citebot(['ingest', '--docs', docs, '--index', index], root);
  const ask = await citebot(['ask', '--docs', docs, '--index', index, 'Who led the American team in Riyadh?'], root);
  const answered = ask.code === 0 && /Rubio/.test(ask.stdout);
  report(`docs/root -> /: ingest ${ingest.seconds.toFixed(2)} s (exit ${ingest.code}), ask ${ask.seconds.toFixed(2)} s (exit ${ask.code}, ${answered ? 'answered with the Rubio paragraph' : 'NOT answered'}); load average ${load} → ${loadText()}`);
  if (ingest.code !== 0 || ingest.seconds >= LINK_TARGET_S) failures.push(`ingest with the link took ${ingest.seconds.toFixed(2)} s`);
  if (!answered || ask.seconds >= LINK_TARGET_S) failures.push(`ask with the link took ${ask.seconds.toFixed(2)} s${answered ? '' : ' and did not answer'}`);
}

async function bigFiles(root: string): Promise<void> {
  const docs = path.join(root, 'docs');
  await mkdir(docs, { recursive: true });
  const source = await loadCorpusSource(PROJECT_DIR);
  const paragraphs = corpusTexts(source, 20_000);
  let passages = 0;
  for (let f = 0; f < FILES; f++) passages += await writeBigFile(path.join(docs, `big-${f}.txt`), paragraphs, f);
  const load = loadText();
  const ingest = await citebot(['ingest', '--docs', docs, '--index', path.join(root, 'index')], root);
  const peak = ingest.peakMB === null ? 'unknown' : `${ingest.peakMB.toFixed(0)} MB`;
  report(`${FILES} × ${FILE_MB} MB text files (${passages} paragraphs): ingest peak RSS (VmHWM) ${peak}, ${ingest.seconds.toFixed(1)} s (exit ${ingest.code}); load average ${load} → ${loadText()}`);
  if (ingest.code !== 0) failures.push(`ingest of the big files exited ${ingest.code}: ${ingest.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  if (ingest.peakMB === null || ingest.peakMB >= MEMORY_TARGET_MB) failures.push(`ingest of the big files peaked at ${peak}`);
}

/** A file of FILE_MB MB: corpus paragraphs, blank-line separated, each copy numbered so no two are the same text. */
async function writeBigFile(file: string, paragraphs: string[], salt: number): Promise<number> {
  const handle = await open(file, 'w');
  let bytes = 0;
  let count = 0;
  try {
    while (bytes < FILE_MB * 2 ** 20) {
      const chunk: string[] = [];
      for (let i = 0; i < 1000; i++, count++) chunk.push(`${paragraphs[(count * 7 + salt) % paragraphs.length]} (Copy ${salt}-${count}.)\n\n`);
      const text = chunk.join('');
      await handle.write(text);
      bytes += Buffer.byteLength(text);
    }
  } finally {
    await handle.close();
  }
  return count;
}

function citebot(args: string[], cwd: string): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    // Offline and without the developer's .env: keyword mode, as in the measurements.
    const env = { PATH: process.env.PATH, HOME: cwd, ALLOW_MODEL_DOWNLOAD: 'false', MODEL_CACHE_DIR: path.join(cwd, 'models') };
    const child = spawn(process.execPath, ['--import', PEAK, BIN, ...args], { cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20_000)));
    child.on('error', reject);
    child.on('close', (code) => {
      const kb = /peak-memory VmHWM (\d+) kB/.exec(stderr)?.[1];
      resolve({ code, seconds: (performance.now() - started) / 1000, peakMB: kb ? Number(kb) / 1024 : null, stdout, stderr });
    });
  });
}

/** The built CLI is what a user runs: build dist/ first (bin/citebot.mjs runs the source, 2 s slower to start, when a source file is newer). */
function buildIfStale(): void {
  const result = spawnSync(process.execPath, [path.join(PROJECT_DIR, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(PROJECT_DIR, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error('the build failed: fix `npm run build` first');
}

function loadText(): string {
  return loadavg().map((n) => n.toFixed(2)).join(' ');
}

function report(line: string): void {
  process.stdout.write(`${line}\n`);
}
