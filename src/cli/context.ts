/**
 * What every CLI command starts from: validated config with flag overrides,
 * terminal output helpers, and the embedder (or keyword mode) chosen once.
 */
import path from 'node:path';
import { loadConfig, type Config, type Env } from '../config.js';
import { CitebotError } from '../errors.js';
import { checkDocsDir } from '../documents/load.js';
import { openEmbedder, type DownloadProgress } from '../embed/embed.js';
import { openLibrary, type Library, type IngestSummary } from '../library/library.js';
import { ingestSentence, skippedSentence } from '../library/summary.js';
import type { Embedder, WarningSink } from '../types.js';
import type { Io } from './io.js';
import { progressBar } from './progress.js';

/** Flags shared by the commands that touch the index. */
export interface LocationFlags {
  docs?: string | undefined;
  index?: string | undefined;
}

/**
 * Loads config (from `env`, else `.env` and the process's environment) and
 * applies `--docs` / `--index`, which win over both.
 *
 * @example
 * const config = configFor({ docs: 'test/fixtures/docs' }, io.env);
 */
export function configFor(flags: LocationFlags, env?: Env): Config {
  const config = loadConfig(env);
  if (flags.docs) config.docsDir = path.resolve(flags.docs);
  if (flags.index) config.indexDir = path.resolve(flags.index);
  return config;
}

function warner(io: Io): WarningSink {
  return (message) => io.err(`citebot: ${message}\n`);
}

export interface Session {
  config: Config;
  embedder: Embedder | null;
  /** Why semantic mode is off, or null. */
  keywordReason: string | null;
  warn: WarningSink;
  /** `--verbose`: list every skipped file instead of one grouped line. */
  verbose: boolean;
}

export interface SessionOptions {
  /** Run the model in a child process (the bot). */
  childProcess?: boolean;
  verbose?: boolean;
}

/**
 * Runs `work` with a session and always closes its embedder afterwards, so a
 * failure never leaves the embedding child process behind.
 *
 * @example
 * return withSession(configFor(flags, io.env), io, {}, async (session) => { ...; return 0; });
 */
export async function withSession<T>(
  config: Config,
  io: Io,
  options: SessionOptions,
  work: (session: Session) => Promise<T>,
): Promise<T> {
  const session = await startSession(config, io, options);
  try {
    return await work(session);
  } finally {
    await session.embedder?.close?.();
  }
}

/** Picks the embedder once per command; the one-line keyword-mode notice comes from here. */
async function startSession(config: Config, io: Io, options: SessionOptions): Promise<Session> {
  await checkDocsDir(config.docsDir);
  const warn = warner(io);
  const bar = io.interactive ? progressBar(io) : null;
  const onProgress = (p: DownloadProgress): void => {
    const mb = (bytes: number) => Math.round(bytes / 1e6);
    bar?.update(mb(p.loaded), p.total === null ? mb(p.loaded) : mb(p.total), `downloading ${p.file} (MB)`);
  };
  const { embedder, keywordReason } = await openEmbedder(config, { childProcess: options.childProcess ?? false, onProgress, warn });
  bar?.done();
  if (keywordReason) warn(keywordReason);
  return { config, embedder, keywordReason, warn, verbose: options.verbose ?? false };
}

/**
 * Opens the library, building the index first when it is missing or stale.
 *
 * @example
 * const library = await librarySession(session, io);
 */
export async function librarySession(session: Session, io: Io): Promise<Library> {
  const bar = io.interactive ? progressBar(io) : null;
  const library = await openLibrary({
    docsDir: session.config.docsDir,
    indexDir: session.config.indexDir,
    embedder: session.embedder,
    answerThreshold: session.config.answerThreshold,
    topK: session.config.topK,
    batchSize: session.config.embedBatchSize,
    warn: session.warn,
    keywordReason: session.keywordReason,
    ...(bar ? { onProgress: bar.update } : {}),
    onIngest: (summary) => {
      bar?.done();
      for (const line of ingestReport(summary, session.verbose)) io.err(`${line}\n`);
    },
  });
  bar?.done();
  return library;
}

/**
 * Stops with a clear line when the docs folder holds no documents: "nothing
 * answers that" would blame the question for what is the folder's fault.
 *
 * @example
 * requireDocuments(library, config.docsDir); // throws 'Docs folder is empty: /srv/docs. …' when it is
 */
export function requireDocuments(library: Library, docsDir: string): void {
  if (library.stats().documents > 0) return;
  throw new CitebotError(`Docs folder is empty: ${docsDir} (no .txt, .md, .html or .pdf files, plain or .gz).`, {
    hint: 'Add documents to it, or pass --docs DIR.',
  });
}

/**
 * The lines an ingest ends with: what was indexed, then the skipped files in
 * one grouped line, or one line each with `--verbose`.
 *
 * @example
 * ingestReport(summary, false);
 * // ['Indexed 2 files, 40 passages (2 new, 0 changed, 0 removed) in keyword mode in 1.2 s.',
 * //  '3 skipped: 2 unsupported type (.js, .png), 1 empty; --verbose lists them.']
 */
export function ingestReport(summary: IngestSummary, verbose: boolean): string[] {
  const lines = [ingestSentence(summary)];
  if (verbose) lines.push(...summary.skipped.map((s) => `Skipped ${s.file}: ${s.reason}.`));
  else lines.push(...[skippedSentence(summary.skipped, '--verbose lists them')].filter((l) => l !== null));
  return lines;
}
