/**
 * `citebot serve --shards auto|N`: discord.js's ShardingManager runs each
 * gateway shard in its own process (`citebot shard`), as Discord requires
 * past 2,500 servers. Every shard answers from the same index on disk. This
 * process, the manager, keeps what must be right across shards: the
 * per-member cooldowns and the feedback file (a member's servers may be on
 * different shards). When a shard's /reindex or the manager's --watch writes
 * a new index, every shard is told to load it.
 */
import { REST, ShardingManager, type Shard } from 'discord.js';
import type { Config } from '../config.js';
import { CitebotError } from '../errors.js';
import { restOptions } from './deploy.js';
import { redactingLog, type BotLog } from './log.js';
import { serveShard, type Channel, type ManagerMessage, type ShardRequest } from './shard-link.js';
import { Cooldowns } from './state/cooldown.js';
import { FeedbackLog } from './state/feedback.js';

/** Discord's rule: shards in one identify bucket start at least 5 s apart. */
const IDENTIFY_GAP_MS = 5500;
/** A shard loads the index and logs in before it counts as ready; generous on a loaded machine. */
const READY_TIMEOUT_MS = 180_000;

export interface ShardOptions {
  /** How many shards; `auto` asks Discord (GET /gateway/bot) for its recommendation. */
  count: number | 'auto';
  /** The script each shard runs, and its arguments (`bin/citebot.mjs shard --docs … --index …`). */
  file: string;
  shardArgs: string[];
  log: BotLog;
  /** Called when a shard re-indexed, before every shard is told to reload. */
  onReindexed?: () => Promise<void>;
}

export interface RunningShards {
  count: number;
  /** Tells every shard to load the index's current generation. */
  reload(): void;
  /** Stops every shard process (SIGTERM: each logs out cleanly). */
  stop(): Promise<void>;
}

/**
 * Spawns the shards and resolves once all are logged in.
 *
 * @example
 * const shards = await startShards(config, { count: 'auto', file: 'bin/citebot.mjs', shardArgs: ['shard'], log });
 * process.once('SIGTERM', () => void shards.stop());
 */
export async function startShards(config: Config, options: ShardOptions): Promise<RunningShards> {
  const token = config.discord.token;
  if (!token) throw new CitebotError('DISCORD_TOKEN is not set.', { hint: 'Put it in .env (see .env.example) or the environment.' });
  const log = redactingLog(options.log, [token]);
  const gateway = await gatewayAdvice(config, token);
  const count = options.count === 'auto' ? gateway.shards : options.count;
  const feedback = new FeedbackLog(config.feedbackFile);
  await feedback.check();
  const cooldowns = new Cooldowns(config.cooldownSeconds);
  const manager = new ShardingManager(options.file, { totalShards: count, token, mode: 'process', respawn: true, shardArgs: options.shardArgs, execArgv: [] });
  const reload = () => {
    for (const shard of manager.shards.values()) void shard.send({ citebot: 'reload' } satisfies ManagerMessage).catch(() => undefined);
  };
  manager.on('shardCreate', (shard: Shard) => {
    serveShard(shard as unknown as Channel<ManagerMessage, ShardRequest>, {
      cooldowns,
      feedback,
      onReindexed: (generation) => {
        log.info(`shard ${shard.id} re-indexed (${generation}); telling every shard to reload`);
        void (options.onReindexed?.() ?? Promise.resolve()).finally(reload);
      },
    });
    shard.on('death', () => log.info(`shard ${shard.id}'s process exited`));
  });
  // Shards in different identify buckets may start together; one bucket needs the 5 s gap.
  const delay = gateway.maxConcurrency >= count ? 0 : IDENTIFY_GAP_MS;
  try {
    await manager.spawn({ amount: count, delay, timeout: READY_TIMEOUT_MS });
  } catch (err) {
    for (const shard of manager.shards.values()) shard.kill();
    throw new CitebotError(`A shard failed to start: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  log.info(`${count} shard${count === 1 ? '' : 's'} ready`);
  return {
    count,
    reload,
    async stop() {
      await Promise.all([...manager.shards.values()].map((shard) => stopShard(shard)));
      log.info('shards stopped');
    },
  };
}

/** Discord's recommended shard count and how many shards may identify at once. */
async function gatewayAdvice(config: Config, token: string): Promise<{ shards: number; maxConcurrency: number }> {
  const rest = new REST(restOptions(config)).setToken(token);
  try {
    const body = (await rest.get('/gateway/bot')) as { shards?: number; session_start_limit?: { max_concurrency?: number } };
    return { shards: Math.max(1, body.shards ?? 1), maxConcurrency: Math.max(1, body.session_start_limit?.max_concurrency ?? 1) };
  } catch (err) {
    throw new CitebotError(`Could not ask Discord how many shards to run (GET /gateway/bot: ${err instanceof Error ? err.message : String(err)}).`, {
      hint: 'Check DISCORD_TOKEN and DISCORD_API_URL, or pass a number: --shards 2.',
      cause: err,
    });
  }
}

/** SIGTERM, then the exit: the shard logs out and closes its embedder on its way. */
function stopShard(shard: Shard): Promise<void> {
  const child = shard.process;
  if (!child || child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    shard.kill();
  });
}
