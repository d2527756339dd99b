/**
 * Discord takes an interaction's first response (a deferral or a reply) only
 * within 3 s. discord.js waits out any 429 before sending, however long its
 * Retry-After: a deferral pushed past the window is refused by Discord, and the
 * member already saw "The application did not respond". This book keeps when
 * each interaction arrived, so such a response is dropped (and logged) instead.
 */

/** Discord's window for an interaction's first response. */
export const RESPONSE_WINDOW_MS = 3000;
/**
 * Kept back from the window: the clock starts when discord.js hands the bot
 * the interaction, which is after the gateway delivered it, and the response
 * still has to travel.
 */
const MARGIN_MS = 500;

/** The interaction id in an interaction callback URL. */
const CALLBACK_URL = /\/interactions\/(\d+)\/[^/]+\/callback(?:\?|$)/;

/**
 * The interactions whose first response is still to be sent, by id.
 *
 * @example
 * const windows = new ResponseWindows();
 * new Client({ rest: { rejectOnRateLimit: (limit) => windows.rejects(limit) } });
 * windows.open(interaction.id); // when it arrives
 */
export class ResponseWindows {
  /** When each interaction arrived, on the monotonic clock (immune to the system clock being set). */
  private readonly arrived = new Map<string, number>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /**
   * Starts the clock of an interaction. The receipt time, not the time in its
   * id: a system clock a few seconds off would otherwise drop every interaction.
   */
  open(id: string): void {
    this.arrived.set(id, this.now());
  }

  /** Forgets an interaction once it has been handled. */
  close(id: string): void {
    this.arrived.delete(id);
  }

  /**
   * Milliseconds left to send an interaction's first response (Infinity for
   * one this book does not know).
   *
   * @example
   * if (windows.left(interaction.id) <= 0) throw new LateResponse(0);
   */
  left(id: string): number {
    const at = this.arrived.get(id);
    return at === undefined ? Infinity : at + RESPONSE_WINDOW_MS - MARGIN_MS - this.now();
  }

  /**
   * discord.js's `rejectOnRateLimit`: true (give up, throwing a RateLimitError)
   * when waiting `retryAfter` ms would send an interaction's first response
   * after its window. Every other request waits as usual.
   *
   * @example
   * windows.rejects({ url: 'https://discord.com/api/v10/interactions/123/tok/callback', retryAfter: 5050 }); // true, 1 s after it arrived
   */
  rejects(limit: { url: string; retryAfter: number }): boolean {
    const id = CALLBACK_URL.exec(limit.url)?.[1];
    return id !== undefined && limit.retryAfter > this.left(id);
  }
}

/** A first response that would arrive after Discord's window: not sent. */
export class LateResponse extends Error {
  constructor(readonly waitMs: number) {
    super(`the first response would have been sent after Discord's ${RESPONSE_WINDOW_MS / 1000} s window`);
    this.name = 'LateResponse';
  }
}
