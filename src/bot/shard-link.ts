/**
 * What the shards and their manager say to each other over the IPC channel
 * discord.js's ShardingManager opens: a shard asks the manager for a
 * member's cooldown and to record a vote (so both are right whichever shard
 * a member's server is on), and says when its /reindex wrote a new index;
 * the manager tells every shard to reload it. Messages carry a `citebot`
 * field, so discord.js's own messages on the same channel pass untouched.
 */
import type { FeedbackEntry, FeedbackSink, VoteOutcome } from './state/feedback.js';
import type { CooldownBook } from './state/cooldown.js';

export type ShardRequest =
  | { citebot: 'cooldown'; id: number; userId: string }
  | { citebot: 'vote'; id: number; entry: FeedbackEntry }
  | { citebot: 'reindexed'; generation: string };

export type ManagerMessage =
  | { citebot: 'reply'; id: number; value: number | VoteOutcome | null; error?: string }
  | { citebot: 'reload' };

/** The two ends of an IPC channel: a child process's `process`, or the manager's `Shard`. */
export interface Channel<Out, In> {
  send(message: Out): unknown;
  on(event: 'message', listener: (message: In) => void): unknown;
}

/**
 * The manager's side of a shard's state: cooldowns and votes asked for over IPC.
 * In a shard, `ctx.cooldowns` and `ctx.feedback` are this.
 *
 * @example
 * const link = new ShardLink(process as Channel<ShardRequest, ManagerMessage>, () => library.refresh());
 * await startBot(config, library, log, { cooldowns: link, feedback: link });
 */
export class ShardLink implements CooldownBook, FeedbackSink {
  private next = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>();

  constructor(
    private readonly channel: Channel<ShardRequest, ManagerMessage>,
    onReload: () => void,
  ) {
    channel.on('message', (message) => {
      if (!isCitebot(message)) return;
      if (message.citebot === 'reload') return onReload();
      const waiting = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error !== undefined) waiting?.reject(new Error(message.error));
      else waiting?.resolve(message.value);
    });
  }

  take(userId: string): Promise<number> {
    return this.ask({ citebot: 'cooldown', id: this.next++, userId }) as Promise<number>;
  }

  record(entry: FeedbackEntry): Promise<VoteOutcome> {
    return this.ask({ citebot: 'vote', id: this.next++, entry }) as Promise<VoteOutcome>;
  }

  /** Tells the manager this shard's /reindex wrote `generation`, so the other shards reload. */
  reindexed(generation: string): void {
    this.channel.send({ citebot: 'reindexed', generation });
  }

  private ask(request: Extract<ShardRequest, { id: number }>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.pending.set(request.id, { resolve, reject });
      this.channel.send(request);
    });
  }
}

/**
 * The manager's answers to one shard: the shared cooldowns and feedback file,
 * and a callback when the shard re-indexed.
 *
 * @example
 * manager.on('shardCreate', (shard) => serveShard(shard, { cooldowns, feedback, onReindexed: () => broadcastReload() }));
 */
export function serveShard(
  shard: Channel<ManagerMessage, ShardRequest>,
  state: { cooldowns: CooldownBook; feedback: FeedbackSink; onReindexed: (generation: string) => void },
): void {
  shard.on('message', (message) => {
    if (!isCitebot(message)) return;
    if (message.citebot === 'reindexed') return state.onReindexed(message.generation);
    const work = message.citebot === 'cooldown' ? Promise.resolve(state.cooldowns.take(message.userId)) : state.feedback.record(message.entry);
    void work.then(
      (value) => shard.send({ citebot: 'reply', id: message.id, value }),
      (err: unknown) => shard.send({ citebot: 'reply', id: message.id, value: null, error: err instanceof Error ? err.message : String(err) }),
    );
  });
}

function isCitebot<T>(message: T): message is T & { citebot: string } {
  return typeof message === 'object' && message !== null && typeof (message as { citebot?: unknown }).citebot === 'string';
}
