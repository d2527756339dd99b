/**
 * The questions asked in each thread, so a follow-up there can be searched
 * with the turns before it. In memory and per process: a thread belongs to one
 * server, and a server to one shard, so every turn of a thread reaches the
 * same process. Forgotten on restart (the follow-up is then searched alone).
 */

const TURNS = 4;

export class ThreadTurns {
  private readonly byThread = new Map<string, string[]>();

  constructor(private readonly capacity = 5000) {}

  /**
   * The earlier questions of a thread, oldest first.
   *
   * @example
   * const earlier = turns.earlier(threadId); // ['Who led the talks?']
   */
  earlier(threadId: string): string[] {
    return [...(this.byThread.get(threadId) ?? [])];
  }

  /**
   * Adds a question to a thread's turns (the last few are kept).
   *
   * @example
   * turns.record(threadId, 'Who led the talks?');
   */
  record(threadId: string, question: string): void {
    const turns = this.byThread.get(threadId) ?? [];
    this.byThread.delete(threadId);
    this.byThread.set(threadId, [...turns, question].slice(-TURNS));
    // Map order is insertion order, refreshed above: the first entry is the least recently used.
    for (const oldest of this.byThread.keys()) {
      if (this.byThread.size <= this.capacity) break;
      this.byThread.delete(oldest);
    }
  }
}
