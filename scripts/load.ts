/**
 * `npm run load`: 500 /ask interactions from 50 users within 10 s against the
 * real bot with 2 gateway shards (two discord.js clients, `shards: [i]` of 2,
 * sharing one library, one cooldown book and one feedback file, as the
 * ShardingManager's shards share the index and the manager's state; real
 * library in keyword mode over a temp copy of seeds/, cooldowns off), with
 * the fake Discord in a child process routing each guild to its shard.
 *
 * Checks: every interaction deferred within 3 s and answered; the bot still
 * answers afterwards; heap after GC within 20 % of before. Prints latency
 * percentiles, the longest event-loop stall, and memory before/after.
 * Sets a non-zero exit code when a check fails. Not part of `npm test`.
 *
 * `npm run load -- --size 500k`: the same against a synthetic index of that
 * many passages (bench/big-index.ts: the corpus paragraphs with random unit
 * vectors × 384, built once into node_modules/.cache, several minutes at
 * 500k), searched semantic + keyword with an in-process random embedder, and
 * 300 /ask in 6 s (issue 14's figure). Searches of an index this size run in
 * the search worker; `--in-process` keeps them on the event loop, as before.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parseConfig, PROJECT_DIR } from '../src/config.js';
import { openLibrary } from '../src/library/library.js';
import { startBot } from '../src/bot/serve.js';
import { Cooldowns } from '../src/bot/state/cooldown.js';
import { FeedbackLog } from '../src/bot/state/feedback.js';
import type { DriverReply, DriverRequest, Timing } from '../test/discord/load-driver.js';
import { Library, OFF_THREAD_PASSAGES } from '../src/library/library.js';
import { bigIndex, randomEmbedder } from '../bench/big-index.js';
import type { Embedder } from '../src/types.js';

const TOKEN = 'TG9hZFRlc3RCb3QwMDAwMDAwMDE.LoadTs.fake-token-for-the-local-load-test';
const ARGS = process.argv.slice(2);
/** `--size 500k`: a synthetic index of that many passages instead of seeds/. */
const SIZE = sizeArg(ARGS);
/** `--in-process`: searches on the event loop whatever the index size (the "before" of the search worker). */
const IN_PROCESS = ARGS.includes('--in-process');
const DIM = 384;
const BURST = SIZE === null ? { count: 500, users: 50, windowMs: 10_000, timeoutMs: 20_000 } : { count: 300, users: 50, windowMs: 6_000, timeoutMs: 60_000 };
/** `npm run load -- --shards 1` runs the one-shard baseline side by side. */
const SHARDS = shardsArg(ARGS);
const DEFER_DEADLINE_MS = 3000;
const MEMORY_TOLERANCE = 0.2;
const QUESTIONS = [
  'Who led the American team in Riyadh?',
  'What did Rubio call the first step of a long journey?',
  'What did Zelensky say about being excluded from the talks?',
  'What did Trump blame Ukraine for?',
  'Who accompanied Rubio to Saudi Arabia?',
  'What did Vance say at the Munich Security Conference?',
  'What did the State Department say about a consultation mechanism?',
  'What is the boiling point of tungsten?',
];

const gc = exposeGc();
const dir = await mkdtemp(path.join(tmpdir(), 'citebot-load-'));
const driver = fork(path.join(PROJECT_DIR, 'test/discord/load-driver.ts'), { execArgv: ['--import', 'tsx'] });
try {
  await cp(path.join(PROJECT_DIR, 'seeds'), path.join(dir, 'docs'), { recursive: true });
  const server = await request(driver, { kind: 'start', token: TOKEN, shards: SHARDS }, 'listening');
  const config = parseConfig({
    DOCS_DIR: path.join(dir, 'docs'),
    INDEX_DIR: path.join(dir, 'index'),
    DISCORD_TOKEN: TOKEN,
    DISCORD_APPLICATION_ID: server.applicationId,
    DISCORD_GUILD_ID: server.guildId,
    DISCORD_API_URL: server.apiUrl,
    FEEDBACK_FILE: path.join(dir, 'feedback.jsonl'),
    COOLDOWN_SECONDS: '0',
  });
  const errors: string[] = [];
  let rateLimitWaits = 0;
  const log = {
    info: (m: string) => void (m.startsWith('rate limited') && rateLimitWaits++),
    warn: (m: string) => errors.push(m),
    error: (m: string) => errors.push(m),
  };
  const library = SIZE === null ? await openLibrary({ docsDir: config.docsDir, indexDir: config.indexDir, embedder: null, answerThreshold: config.answerThreshold, topK: config.topK, warn: () => undefined }) : await syntheticLibrary(SIZE, config.answerThreshold, config.topK);
  // One cooldown book and one feedback file for both shards, as the ShardingManager keeps them.
  const feedback = new FeedbackLog(config.feedbackFile);
  const shared = { cooldowns: new Cooldowns(config.cooldownSeconds), feedback, announceReindex: () => undefined };
  const bots = [];
  for (let shard = 0; shard < SHARDS; shard++) bots.push(await startBot(config, library, log, { shards: { ids: [shard], count: SHARDS }, shared }));

  // One question at a time first: the latency a single user sees, and a warm JIT for the baseline.
  const idleLoop = monitorEventLoopDelay({ resolution: 1 });
  idleLoop.enable();
  const idle = await run(driver, { ...BURST, count: 40, users: 1, windowMs: 4000 });
  idleLoop.disable();
  const before = heap(gc);

  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const started = performance.now();
  const burst = await run(driver, BURST);
  const burstMs = performance.now() - started;
  loop.disable();

  const after = await run(driver, { ...BURST, count: 1, users: 1, windowMs: 0 });
  const memoryAfter = heap(gc);
  for (const bot of bots) await bot.stop();

  const checks = {
    [`all ${BURST.count} deferred within ${DEFER_DEADLINE_MS / 1000} s`]: burst.results.every((t) => t.deferred && t.deferMs !== null && t.deferMs <= DEFER_DEADLINE_MS),
    [`all ${BURST.count} answered with an embed`]: burst.results.length === BURST.count && burst.results.every((t) => t.quoted),
    'bot still answers after the burst': after.results[0]?.quoted === true,
    [`heap after GC within ${MEMORY_TOLERANCE * 100} % of before`]: memoryAfter <= before * (1 + MEMORY_TOLERANCE),
    'no unknown routes, no limit violations': burst.unknownRoutes.length === 0 && burst.rejected === 0,
    'no warnings or errors logged': errors.length === 0,
  };
  print({ idle, burst, burstMs, rateLimitWaits, idleStallMs: idleLoop.max / 1e6, loopMaxMs: loop.max / 1e6, loopP99Ms: loop.percentile(99) / 1e6, before, memoryAfter, gcExposed: gc !== null, errors, checks });
  if (Object.values(checks).some((ok) => !ok)) process.exitCode = 1;
} finally {
  driver.send({ kind: 'stop' } satisfies DriverRequest);
  await rm(dir, { recursive: true, force: true });
}

/** The big index, loaded as the library would load it, with the worker on (or, with --in-process, off). */
async function syntheticLibrary(size: number, answerThreshold: number, topK: number): Promise<Library> {
  const started = performance.now();
  const index = await bigIndex({ size, dim: DIM, seed: 20261203 }, (line) => process.stderr.write(`${line}\n`));
  const embedder: Embedder = randomEmbedder(DIM);
  const library = new Library({ docsDir: '(synthetic)', indexDir: index.dir, embedder, answerThreshold, topK, warn: () => undefined, offThreadFrom: IN_PROCESS ? Infinity : OFF_THREAD_PASSAGES });
  library.load(index);
  process.stderr.write(`loaded ${index.passages.length} passages in ${((performance.now() - started) / 1000).toFixed(1)} s; searches ${library.searchesOffThread ? 'in the search worker' : 'on the event loop'}\n`);
  return library;
}

function sizeArg(args: string[]): number | null {
  const at = args.indexOf('--size');
  if (at < 0) return null;
  const match = /^(\d+)(k|m)?$/i.exec(args[at + 1] ?? '');
  if (!match) throw new Error(`--size takes a passage count such as 500k or 1m, not ${String(args[at + 1])}`);
  return Number(match[1]) * (match[2]?.toLowerCase() === 'm' ? 1e6 : match[2] ? 1000 : 1);
}

function shardsArg(args: string[]): number {
  const at = args.indexOf('--shards');
  if (at < 0) return 2;
  const n = Number(args[at + 1]);
  if (!Number.isInteger(n) || n < 1 || n > 16) throw new Error(`--shards takes a whole number from 1 to 16, not ${String(args[at + 1])}`);
  return n;
}

/** `global.gc` when run with --expose-gc; otherwise turned on at run time. */
function exposeGc(): (() => void) | null {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return null;
  }
}

function heap(collect: (() => void) | null): number {
  for (let i = 0; i < 3; i++) collect?.();
  return process.memoryUsage().heapUsed;
}

function run(child: ChildProcess, plan: Omit<Extract<DriverRequest, { kind: 'run' }>, 'kind' | 'questions'>) {
  return request(child, { kind: 'run', questions: QUESTIONS, ...plan }, 'done');
}

function request<K extends DriverReply['kind']>(child: ChildProcess, message: DriverRequest, expect: K): Promise<Extract<DriverReply, { kind: K }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (reply: DriverReply) => {
      if (reply.kind !== expect) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(reply as Extract<DriverReply, { kind: K }>);
    };
    const onExit = (code: number | null) => reject(new Error(`load driver exited (${code}) before replying`));
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.send(message);
  });
}

function percentiles(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
  return `p50 ${at(50).toFixed(1)}  p90 ${at(90).toFixed(1)}  p99 ${at(99).toFixed(1)}  max ${at(100).toFixed(1)} ms`;
}

function print(r: {
  idle: { results: Timing[] };
  burst: { results: Timing[] };
  burstMs: number;
  rateLimitWaits: number;
  idleStallMs: number;
  loopMaxMs: number;
  loopP99Ms: number;
  before: number;
  memoryAfter: number;
  gcExposed: boolean;
  errors: string[];
  checks: Record<string, boolean>;
}): void {
  const mb = (n: number) => `${(n / 2 ** 20).toFixed(1)} MB`;
  const ms = (ts: Timing[], key: 'deferMs' | 'answerMs') => ts.map((t) => t[key]).filter((v): v is number => v !== null);
  const lines = [
    SIZE === null
      ? `citebot load test (keyword mode, ${SHARDS} shards, ${BURST.count} /ask from ${BURST.users} users in ${BURST.windowMs / 1000} s)`
      : `citebot load test (${SIZE} synthetic passages × ${DIM}, semantic + keyword, searches ${IN_PROCESS ? 'on the event loop' : 'in the search worker'}, ${SHARDS} shards, ${BURST.count} /ask from ${BURST.users} users in ${BURST.windowMs / 1000} s)`,
    `load average at the start: ${loadavg().map((n) => n.toFixed(2)).join(' ')}`,
    `single user, one at a time (${r.idle.results.length}):`,
    `  answer  ${percentiles(ms(r.idle.results, 'answerMs'))}`,
    `  longest event-loop stall ${r.idleStallMs.toFixed(1)} ms`,
    `burst (${(r.burstMs / 1000).toFixed(1)} s wall):`,
    `  defer   ${percentiles(ms(r.burst.results, 'deferMs'))}`,
    `  answer  ${percentiles(ms(r.burst.results, 'answerMs'))}`,
    `  event-loop delay p99 ${r.loopP99Ms.toFixed(1)} ms, longest stall ${r.loopMaxMs.toFixed(1)} ms`,
    `  discord.js held back ${r.rateLimitWaits} requests to respect its own rate limits`,
    `heap after GC${r.gcExposed ? '' : ' (gc unavailable: figures include garbage)'}: before ${mb(r.before)}, after ${mb(r.memoryAfter)} (${(((r.memoryAfter - r.before) / r.before) * 100).toFixed(1)} %)`,
    ...Object.entries(r.checks).map(([name, ok]) => `${ok ? 'ok  ' : 'FAIL'} ${name}`),
    ...r.errors.slice(0, 5).map((e) => `  logged: ${e.split('\n')[0]}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
