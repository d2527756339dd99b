/**
 * The only module that reads `process.env`. It validates every variable and
 * names the one that is missing or invalid, so a bad `.env` fails with one line.
 *
 * @example
 * const config = loadConfig();            // reads .env and process.env
 * const test = loadConfig({ TOP_K: '5' }); // pure: reads only the object given
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import dotenv from 'dotenv';
import { CitebotError } from './errors.js';

/** The project folder: relative defaults resolve against it, not the caller's cwd. */
export const PROJECT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const DEFAULT_MODEL = 'Xenova/all-MiniLM-L6-v2';

export interface Config {
  docsDir: string;
  indexDir: string;
  /** Embedding model name, as on the Hugging Face hub. */
  model: string;
  /** Local folder laid out like the hub (`MODELS_DIR/<org>/<name>/…`), or null. */
  modelsDir: string | null;
  /** Where a downloaded model is cached. */
  modelCacheDir: string;
  /** False: never contact the hub (keyword mode unless MODELS_DIR has the model). */
  allowDownload: boolean;
  /** Hub (or mirror) the model is downloaded from. */
  modelHubUrl: string;
  downloadTimeoutMs: number;
  /** onnxruntime intra-op threads for embedding; null = chosen by use (see `defaultEmbedThreads`). */
  embedThreads: number | null;
  embedBatchSize: number;
  topK: number;
  /** Abstention threshold: answers whose confidence is below it say "not in the documents". */
  answerThreshold: number;
  discord: DiscordConfig;
  sourceBaseUrl: string | null;
  cooldownSeconds: number;
  /** Channels the bot answers in (with their threads and forum posts); empty = everywhere. */
  allowedChannelIds: string[];
  /** Forum or text channels where every new post gets an answer, when the documents clearly answer it. */
  autoReplyChannelIds: string[];
  feedbackFile: string;
  /** Re-index changed files while serving. */
  watch: boolean;
  /** Where the terminal prompt keeps earlier questions. */
  historyFile: string;
  debug: boolean;
}

export interface DiscordConfig {
  token: string | null;
  applicationId: string | null;
  guildId: string | null;
  /** REST base URL without the version, e.g. `http://127.0.0.1:3000/api`; null = Discord's own. */
  apiUrl: string | null;
}

/** Environment variables by name, as `process.env` holds them. */
export type Env = Record<string, string | undefined>;

/**
 * Reads `.env` (if present) into `process.env`, without overriding variables
 * already set, then validates. Call once at start-up.
 *
 * @example
 * const config = loadConfig();
 * const forTests = loadConfig({ DOCS_DIR: 'test/fixtures/docs' }); // ignores .env and process.env
 */
export function loadConfig(env?: Env): Config {
  if (env === undefined) {
    dotenv.config({ path: path.join(process.cwd(), '.env'), quiet: true });
    env = process.env;
  }
  return parseConfig(env);
}

/**
 * onnxruntime threads when EMBED_THREADS is not set, at most 4 (a
 * MiniLM-sized model on batches of 32 gains little past that): every core
 * for an ingest in the terminal, and all cores but one while a bot serves,
 * whose own process needs one to answer and heartbeat while a reindex embeds.
 *
 * @example
 * defaultEmbedThreads(2, { serving: true });   // 1
 * defaultEmbedThreads(2, { serving: false });  // 2
 * defaultEmbedThreads(16, { serving: true });  // 4
 */
export function defaultEmbedThreads(cores: number, { serving }: { serving: boolean }): number {
  return Math.min(4, Math.max(1, serving ? cores - 1 : cores));
}

/**
 * Validates an environment object; throws a CitebotError naming the bad variable.
 *
 * @example
 * parseConfig({ TOP_K: '0' }); // throws 'Invalid TOP_K="0": expected a number from 1 to 25.'
 */
export function parseConfig(env: Env): Config {
  const read = new EnvReader(env);
  return {
    docsDir: read.dir('DOCS_DIR', 'seeds'),
    indexDir: read.dir('INDEX_DIR', 'embeddings'),
    model: read.string('EMBEDDING_MODEL', DEFAULT_MODEL),
    modelsDir: read.optionalDir('MODELS_DIR'),
    modelCacheDir: read.dir('MODEL_CACHE_DIR', 'models'),
    allowDownload: read.bool('ALLOW_MODEL_DOWNLOAD', true),
    modelHubUrl: read.optionalUrl('MODEL_HUB_URL') ?? 'https://huggingface.co',
    downloadTimeoutMs: read.int('MODEL_DOWNLOAD_TIMEOUT_MS', 5_000, 100, 3_600_000),
    embedThreads: read.optionalInt('EMBED_THREADS', 1, 64),
    embedBatchSize: read.int('EMBED_BATCH_SIZE', 32, 1, 1024),
    topK: read.int('TOP_K', 3, 1, 25),
    answerThreshold: read.number('ANSWER_THRESHOLD', 0.5, 0, 1), // = RECOMMENDED_ANSWER_THRESHOLD (src/search/abstain.ts)
    discord: {
      token: read.optionalToken('DISCORD_TOKEN'),
      applicationId: read.optionalSnowflake('DISCORD_APPLICATION_ID'),
      guildId: read.optionalSnowflake('DISCORD_GUILD_ID'),
      apiUrl: read.optionalUrl('DISCORD_API_URL'),
    },
    sourceBaseUrl: read.optionalUrl('SOURCE_BASE_URL'),
    cooldownSeconds: read.number('COOLDOWN_SECONDS', 5, 0, 3600),
    allowedChannelIds: read.snowflakeList('ALLOWED_CHANNEL_IDS'),
    autoReplyChannelIds: read.snowflakeList('AUTO_REPLY_CHANNEL_IDS'),
    feedbackFile: read.dir('FEEDBACK_FILE', 'data/feedback.jsonl'),
    watch: read.bool('WATCH', false),
    historyFile: read.optionalDir('HISTORY_FILE') ?? path.join(os.homedir(), '.citebot_history'),
    debug: debugRequested(env),
  };
}

/**
 * Whether DEBUG is set; readable even when the rest of the config is invalid.
 *
 * @example
 * debugRequested({ DEBUG: 'yes' }); // true
 */
export function debugRequested(env: Env = process.env): boolean {
  return /^(1|true|yes|on)$/i.test(env.DEBUG?.trim() ?? '');
}

/**
 * Whether to style terminal output: `NO_COLOR` (any value) turns it off,
 * `FORCE_COLOR` turns it on even when piped (`FORCE_COLOR=0` off), else only
 * on a terminal. FORCE_COLOR wins over NO_COLOR, as in Node itself. Readable
 * before the rest of the config, like DEBUG.
 *
 * @example
 * colorWanted(process.stdout.isTTY);             // true at a terminal
 * colorWanted(false, { FORCE_COLOR: '1' });      // true
 * colorWanted(true, { NO_COLOR: '1' });          // false
 */
export function colorWanted(isTerminal: boolean | undefined, env: Env = process.env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !/^(0|false)$/i.test(force.trim());
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return Boolean(isTerminal);
}

/**
 * Checks what `serve` needs; throws naming the first missing variable.
 *
 * @example
 * requireDiscord(config, ['token']); // throws 'DISCORD_TOKEN is not set. …' when it isn't
 */
export function requireDiscord(config: Config, needs: Array<'token' | 'applicationId'>): void {
  const names = { token: 'DISCORD_TOKEN', applicationId: 'DISCORD_APPLICATION_ID' } as const;
  for (const need of needs) {
    if (!config.discord[need]) {
      throw new CitebotError(`${names[need]} is not set.`, {
        hint: 'Put it in .env (see .env.example) or the environment.',
      });
    }
  }
}

/** Small typed readers; each names the variable when its value is bad. */
class EnvReader {
  constructor(private readonly env: Env) {}

  private raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === '' ? undefined : value;
  }

  private invalid(name: string, value: string, expected: string): CitebotError {
    return new CitebotError(`Invalid ${name}=${JSON.stringify(value)}: expected ${expected}.`, {
      hint: 'Fix it in .env (see .env.example) or the environment.',
    });
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  optionalString(name: string): string | null {
    return this.raw(name) ?? null;
  }

  dir(name: string, fallback: string): string {
    return path.resolve(PROJECT_DIR, this.raw(name) ?? fallback);
  }

  optionalDir(name: string): string | null {
    const value = this.raw(name);
    return value === undefined ? null : path.resolve(PROJECT_DIR, value);
  }

  bool(name: string, fallback: boolean): boolean {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (/^(1|true|yes|on)$/i.test(value)) return true;
    if (/^(0|false|no|off)$/i.test(value)) return false;
    throw this.invalid(name, value, 'true or false');
  }

  number(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || n > max) throw this.invalid(name, value, `a number from ${min} to ${max}`);
    return n;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const n = this.number(name, fallback, min, max);
    if (!Number.isInteger(n)) throw this.invalid(name, String(this.raw(name)), `a whole number from ${min} to ${max}`);
    return n;
  }

  optionalInt(name: string, min: number, max: number): number | null {
    return this.raw(name) === undefined ? null : this.int(name, min, min, max);
  }

  /**
   * A secret: never echoed. A line break or space inside (a paste gone wrong)
   * would otherwise reach Discord as "invalid Authorization header".
   */
  optionalToken(name: string): string | null {
    const value = this.raw(name);
    if (value === undefined) return null;
    if (!/^[\x21-\x7e]+$/.test(value)) {
      throw new CitebotError(`Invalid ${name}: it contains a line break, space or other character a token never has (value not shown).`, {
        hint: 'Paste the token again as one line in .env (see .env.example).',
      });
    }
    return value;
  }

  optionalSnowflake(name: string): string | null {
    const value = this.raw(name);
    if (value === undefined) return null;
    if (!/^\d{5,20}$/.test(value)) throw this.invalidId(name, value, 'a Discord id (digits only)');
    return value;
  }

  /** Like `invalid`, but a bot token pasted into an id variable is never echoed. */
  private invalidId(name: string, value: string, expected: string): CitebotError {
    if (!looksLikeToken(value)) return this.invalid(name, value, expected);
    return new CitebotError(`Invalid ${name}: expected ${expected}; the value looks like a bot token (not shown).`, {
      hint: 'The token belongs in DISCORD_TOKEN; the application id is the number on the Developer Portal\'s General Information page.',
    });
  }

  snowflakeList(name: string): string[] {
    const value = this.raw(name);
    if (value === undefined) return [];
    const ids = value.split(/[\s,]+/).filter(Boolean);
    const bad = ids.find((id) => !/^\d{5,20}$/.test(id));
    if (bad !== undefined) throw this.invalidId(name, value, 'comma-separated Discord channel ids');
    return ids;
  }

  optionalUrl(name: string): string | null {
    const value = this.raw(name);
    if (value === undefined) return null;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw this.invalid(name, value, 'an http(s) URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw this.invalid(name, value, 'an http(s) URL');
    return value.replace(/\/+$/, '');
  }
}

/** A Discord bot token: three base64url parts joined by dots (or anything long with a dot, to be safe). */
function looksLikeToken(value: string): boolean {
  return /[\w-]{16,}\.[\w-]{4,}\.[\w-]{16,}/.test(value) || (value.length > 40 && value.includes('.'));
}
