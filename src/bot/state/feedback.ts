/**
 * 👍 / 👎 votes, one per member per answer, as JSON lines in a local file.
 * A second click on the other button changes that member's line; the same
 * button again changes nothing. One process owns the file (with shards, the
 * manager: see src/bot/shards.ts), so a rewrite never races an append.
 */
import { appendFile, mkdir, open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { CitebotError } from '../../errors.js';
import { writeFileAtomic } from '../../index/atomic.js';

export interface FeedbackEntry {
  time: string;
  vote: 'up' | 'down';
  userId: string;
  /** The answer voted on (its buttons' key); a member has one vote per answer. */
  answer: string;
  question: string;
  /** Ids of the passages the voter saw. */
  passages: string[];
}

/** What a click did: a first vote, the same vote again, or a changed one. */
export type VoteOutcome = 'recorded' | 'unchanged' | 'changed';

/** Where votes go: the file itself, or (in a shard) the process that owns it. */
export interface FeedbackSink {
  record(entry: FeedbackEntry): Promise<VoteOutcome>;
}

export class FeedbackLog implements FeedbackSink {
  /** Writes run one after another so lines never interleave. */
  private queue: Promise<unknown> = Promise.resolve();
  /** The vote of each member on each answer voted on since start-up. */
  private readonly votes = new Map<string, 'up' | 'down'>();

  constructor(private readonly file: string) {}

  /**
   * Checks at start-up that the file can be written, so a bad FEEDBACK_FILE
   * is one clear line then, not a failed vote later.
   *
   * @example
   * await new FeedbackLog(config.feedbackFile).check();
   */
  async check(): Promise<void> {
    try {
      await mkdir(path.dirname(this.file), { recursive: true });
      const handle = await open(this.file, 'a');
      await handle.close();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      const why = code === 'EISDIR' ? 'it is a folder' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ENOTDIR' || code === 'EEXIST' ? 'a parent is a file' : code;
      throw new CitebotError(`Invalid FEEDBACK_FILE=${JSON.stringify(this.file)}: cannot write there (${why}).`, {
        hint: 'Point it at a writable file path in .env (see .env.example).',
        cause: err,
      });
    }
  }

  /**
   * Records a member's vote on an answer: appends a first vote, rewrites the
   * member's line when the vote changed, and leaves the file alone otherwise.
   *
   * @example
   * await feedback.record({ time, vote: 'up', userId, answer: key, question, passages }); // 'recorded'
   */
  record(entry: FeedbackEntry): Promise<VoteOutcome> {
    const done = this.queue.then(() => this.write(entry));
    this.queue = done.catch(() => undefined);
    return done;
  }

  private async write(entry: FeedbackEntry): Promise<VoteOutcome> {
    const key = `${entry.answer}\u0000${entry.userId}`;
    const before = this.votes.get(key);
    if (before === entry.vote) return 'unchanged';
    const line = JSON.stringify(entry);
    if (before === undefined) {
      await mkdir(path.dirname(this.file), { recursive: true });
      await appendFile(this.file, `${line}\n`, 'utf8');
    } else {
      await this.replace(entry, line);
    }
    this.votes.set(key, entry.vote);
    return before === undefined ? 'recorded' : 'changed';
  }

  /** Swaps the member's line for this answer; the rest of the file is kept byte for byte. */
  private async replace(entry: FeedbackEntry, line: string): Promise<void> {
    const lines = (await readFile(this.file, 'utf8')).split('\n');
    const at = lines.findLastIndex((l) => sameVoter(l, entry));
    if (at >= 0) lines[at] = line;
    else lines.splice(lines.length - 1, 0, line);
    await writeFileAtomic(this.file, [lines.join('\n')]);
  }
}

function sameVoter(line: string, entry: FeedbackEntry): boolean {
  if (!line.includes(entry.answer)) return false;
  try {
    const parsed = JSON.parse(line) as Partial<FeedbackEntry>;
    return parsed.answer === entry.answer && parsed.userId === entry.userId;
  } catch {
    return false;
  }
}
