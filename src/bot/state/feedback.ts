/** 👍 / 👎 votes, appended as JSON lines to a local file. */
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';

export interface FeedbackEntry {
  time: string;
  vote: 'up' | 'down';
  userId: string;
  question: string;
  /** Ids of the passages the voter saw. */
  passages: string[];
}

export class FeedbackLog {
  /** Appends run one after another so lines never interleave. */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly file: string) {}

  /**
   * Appends one line; creates the folder on first use.
   *
   * @example
   * await feedback.record({ time: new Date().toISOString(), vote: 'up', userId, question, passages });
   */
  record(entry: FeedbackEntry): Promise<void> {
    const write = async () => {
      await mkdir(path.dirname(this.file), { recursive: true });
      await appendFile(this.file, `${JSON.stringify(entry)}\n`, 'utf8');
    };
    const done = this.queue.then(write);
    this.queue = done.catch(() => undefined);
    return done;
  }
}
