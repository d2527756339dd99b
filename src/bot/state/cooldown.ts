/** Per-user cooldown between costly requests (questions, searches). */

const SWEEP_AT = 5000;

/** Who may ask now: the cooldowns themselves, or (in a shard) the manager that keeps them. */
export interface CooldownBook {
  /** 0 and the use recorded, or the whole seconds left to wait. */
  take(userId: string): number | Promise<number>;
}

export class Cooldowns implements CooldownBook {
  private readonly lastUse = new Map<string, number>();

  /**
   * @param seconds - 0 turns cooldowns off.
   * @param now - clock, injectable for tests.
   */
  constructor(
    private readonly seconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Records a use and returns 0, or returns the whole seconds left to wait
   * (without recording anything) when the user is still cooling down.
   *
   * @example
   * const wait = cooldowns.take(user.id);
   * if (wait > 0) return notice(`Please wait ${wait}s.`);
   */
  take(userId: string): number {
    if (this.seconds <= 0) return 0;
    const now = this.now();
    const last = this.lastUse.get(userId);
    const left = last === undefined ? 0 : last + this.seconds * 1000 - now;
    if (left > 0) return Math.ceil(left / 1000);
    if (this.lastUse.size >= SWEEP_AT) this.sweep(now);
    this.lastUse.set(userId, now);
    return 0;
  }

  /** Forgets users whose cooldown is over, so the map stays as small as the active crowd. */
  private sweep(now: number): void {
    for (const [user, at] of this.lastUse) if (at + this.seconds * 1000 <= now) this.lastUse.delete(user);
  }
}
