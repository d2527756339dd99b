/**
 * What the buttons under an answer need to know (the question, which passages
 * were shown), kept in memory for a while. Custom ids only carry a key: a
 * question can be far longer than Discord's 100-character custom id. Entries
 * expire, and a restart forgets them all; the button handler then says so.
 */
import { randomBytes } from 'node:crypto';

export interface AnswerRecord {
  /** The question as the member asked it. */
  question: string;
  /** What was searched, when it differs (a follow-up searched with its thread's earlier turns). */
  query?: string;
  /** Rank of the first passage shown (0 for the first page). */
  offset: number;
  /** Ids of the passages shown, in order. */
  shown: string[];
}

export class AnswerMemory {
  private readonly entries = new Map<string, { record: AnswerRecord; expires: number }>();

  constructor(
    private readonly capacity = 2000,
    readonly ttlMs = 30 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Stores a record and returns its key (10 characters, URL-safe).
   *
   * @example
   * const key = memory.remember({ question, offset: 0, shown: ids });
   */
  remember(record: AnswerRecord): string {
    const key = randomBytes(8).toString('base64url').slice(0, 10);
    this.entries.set(key, { record, expires: this.now() + this.ttlMs });
    // Map keeps insertion order: the first entries are the oldest.
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.capacity) break;
      this.entries.delete(oldest);
    }
    return key;
  }

  /** The record, or null when it expired, was evicted or predates a restart. */
  recall(key: string): AnswerRecord | null {
    const entry = this.entries.get(key);
    if (!entry) return null;
    if (entry.expires <= this.now()) {
      this.entries.delete(key);
      return null;
    }
    return entry.record;
  }

  get size(): number {
    return this.entries.size;
  }
}
