/**
 * The shape of a bot command, and what every handler is given.
 * Each command lives in its own module under src/bot/commands/ and `satisfies Command`.
 */
import type {
  AutocompleteInteraction,
  ChatInputCommandInteraction,
  MessageContextMenuCommandInteraction,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
  RESTPostAPIContextMenuApplicationCommandsJSONBody,
} from 'discord.js';
import type { Config } from '../config.js';
import type { LibraryApi } from '../library/library.js';
import type { AnswerMemory } from './state/answer-memory.js';
import type { CooldownBook } from './state/cooldown.js';
import type { FeedbackSink } from './state/feedback.js';
import type { ThreadTurns } from './state/thread-turns.js';
import type { ResponseWindows } from './state/response-windows.js';
import type { BotLog } from './log.js';

/** Counters shown by /stats. */
export interface BotCounters {
  startedAt: number;
  /** Questions the bot replied to. */
  questions: number;
  /** Of those, the ones the documents answered. */
  answered: number;
}

/** Everything a handler may use; handlers never reach for globals. */
export interface BotContext {
  library: LibraryApi;
  config: Config;
  log: BotLog;
  /** Per-member cooldowns: in this process, or kept by the sharding manager. */
  cooldowns: CooldownBook;
  memory: AnswerMemory;
  /** Where votes go: the feedback file, or the sharding manager that owns it. */
  feedback: FeedbackSink;
  /** Earlier questions per thread, for follow-ups. */
  turns: ThreadTurns;
  counters: BotCounters;
  /** When each interaction arrived: its first response must reach Discord within 3 s. */
  windows: ResponseWindows;
  /** In a shard: tells the other shards that /reindex wrote a new index. */
  announceReindex?: (generation: string) => void;
}

interface CommandBase<Body> {
  /** Every command declares where it works (`contexts`, `integration_types`): servers only. */
  data: { readonly name: string; toJSON(): Body };
}

export interface SlashCommand extends CommandBase<RESTPostAPIChatInputApplicationCommandsJSONBody> {
  kind: 'slash';
  execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void>;
  autocomplete?(interaction: AutocompleteInteraction, ctx: BotContext): Promise<void>;
}

export interface MessageCommand extends CommandBase<RESTPostAPIContextMenuApplicationCommandsJSONBody> {
  kind: 'message';
  execute(interaction: MessageContextMenuCommandInteraction, ctx: BotContext): Promise<void>;
}

export type Command = SlashCommand | MessageCommand;
