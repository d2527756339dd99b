#!/usr/bin/env node
/**
 * Cold start of `citebot ask` on the seed folder: the TypeScript source run
 * through tsx against the build in dist/ (what bin/citebot.mjs runs once
 * `npm install` has built it). Runs alternate, so machine load hits both
 * alike; prints the median of 10 (or --runs N) and the ratio.
 *
 *   npm run bench:startup            # needs dist/: npm install (or npm run build) first
 *   node bench/startup.mjs --runs 20
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runsFlag = process.argv.indexOf('--runs');
const runs = runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 10;
const index = mkdtempSync(path.join(os.tmpdir(), 'citebot-startup-'));
const args = ['ask', '--docs', path.join(root, 'seeds'), '--index', index, 'Who led the American team in Riyadh?'];
// Keyword mode, offline, no .env: the same work for both, and no model load (that is not start-up).
const env = { PATH: process.env.PATH, HOME: process.env.HOME, ALLOW_MODEL_DOWNLOAD: 'false' };

const variants = {
  source: [path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), path.join(root, 'src', 'main.ts')],
  built: [path.join(root, 'dist', 'main.js')],
};

if (!existsSync(variants.built[0])) {
  console.error('bench/startup: dist/ is missing; run npm install (or npm run build) first.');
  process.exit(1);
}

/** One cold run: a new Node process from spawn to exit, in milliseconds. */
function once(command) {
  const started = performance.now();
  const result = spawnSync(process.execPath, [...command, ...args], { cwd: root, env, encoding: 'utf8' });
  const ms = performance.now() - started;
  if (result.status !== 0 || !result.stdout.startsWith('Answered')) {
    throw new Error(`run failed (exit ${result.status}): ${result.stderr.trim().split('\n').pop()}`);
  }
  return ms;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

try {
  once(variants.built); // builds the index, so every timed run only answers
  const times = { source: [], built: [] };
  for (let i = 0; i < runs; i++) for (const [name, command] of Object.entries(variants)) times[name].push(once(command));
  const [source, built] = [median(times.source), median(times.built)];
  console.log(`cold citebot ask on seeds/, median of ${runs} (load average ${os.loadavg()[0].toFixed(1)}, ${os.cpus().length} cores):`);
  console.log(`  source (tsx)   ${(source / 1000).toFixed(2)} s`);
  console.log(`  built (dist/)  ${(built / 1000).toFixed(2)} s   ${(source / built).toFixed(1)}× faster`);
} finally {
  rmSync(index, { recursive: true, force: true });
}
