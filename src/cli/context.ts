/**
 * What every CLI command starts from: validated config with flag overrides,
 * terminal output helpers, and the embedder (or keyword mode) chosen once.
 */
import path from 'node:path';
import { loadConfig, type Config } from '../config.js';
import { checkDocsDir } from '../documents/load.js';
import { openEmbedder, type DownloadProgress } from '../embed/embed.js';
import { openLibrary, type Library, type IngestSummary } from '../library/library.js';
import type { Embedder, WarningSink } from '../types.js';
import type { Io } from './io.js';
import { progressBar } from './progress.js';

/** Flags shared by the commands that touch the index. */
export interface LocationFlags {
  docs?: string | undefined;
  index?: string | undefined;
}

/**
 * Loads config and applies `--docs` / `--index`, which win over `.env`.
 *
 * @example
 * const config = configFor({ docs: 'test/fixtures/docs' });
 */
export function configFor(flags: LocationFlags): Config {
  const config = loadConfig();
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
}

/**
 * Runs `work` with a session and always closes its embedder afterwards, so a
 * failure never leaves the embedding child process behind.
 *
 * @example
 * return withSession(configFor(flags), io, {}, async (session) => { ...; return 0; });
 */
export async function withSession<T>(
  config: Config,
  io: Io,
  options: { thread?: boolean },
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
async function startSession(config: Config, io: Io, options: { thread?: boolean }): Promise<Session> {
  await checkDocsDir(config.docsDir);
  const warn = warner(io);
  let keywordReason: string | null = null;
  const bar = io.interactive ? progressBar(io) : null;
  const onProgress = (p: DownloadProgress): void => {
    const mb = (bytes: number) => Math.round(bytes / 1e6);
    bar?.update(mb(p.loaded), p.total === null ? mb(p.loaded) : mb(p.total), `downloading ${p.file} (MB)`);
  };
  const onWarning = (line: string): void => {
    keywordReason = line;
    warn(line);
  };
  const embedder = await openEmbedder(config, onWarning, { ...options, onProgress });
  bar?.done();
  return { config, embedder, keywordReason, warn };
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
      io.err(`${summaryLine(summary)}\n`);
    },
  });
  bar?.done();
  return library;
}

/**
 * The one line an ingest ends with.
 *
 * @example
 * summaryLine(summary); // 'Indexed 2 files, 40 passages (2 new, 0 changed, 0 removed) in keyword mode in 1.2 s.' (counts are files)
 */
export function summaryLine(s: IngestSummary): string {
  const files = `${s.files} file${s.files === 1 ? '' : 's'}`;
  const changes = `${s.added} new, ${s.changed} changed, ${s.removed} removed`;
  return `Indexed ${files}, ${s.passages} passages (${changes}) in ${s.mode} mode in ${s.seconds.toFixed(1)} s.`;
}
