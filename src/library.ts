/**
 * The live index the shells talk to: the CLI and the bot only ever call this.
 * (Implementation lands with the core; this interface is the contract.)
 */
import type { Answer, Mode, Passage } from './types.js';

export interface AskOptions {
  /** How many passages to return (default: config TOP_K). */
  topK?: number;
  /** Skip this many ranked passages first (for "More results"). */
  offset?: number;
}

export interface IngestSummary {
  files: number;
  passages: number;
  added: number;
  changed: number;
  removed: number;
  /** Passages whose vectors were computed in this run (0 in keyword mode). */
  embedded: number;
  mode: Mode;
  seconds: number;
  generation: string;
}

export interface LibraryStats {
  documents: number;
  passages: number;
  mode: Mode;
  model: string | null;
  /** ISO time the live index was built. */
  builtAt: string;
  generation: string;
  /** Why semantic mode is off, when it is. */
  keywordReason: string | null;
}

export interface LibraryApi {
  ask(question: string, options?: AskOptions): Promise<Answer>;
  /** Indexed files, relative to the docs folder, sorted. */
  files(): string[];
  /** The passages of one paragraph (several when it was split); [] when there is none. */
  paragraph(file: string, paragraph: number): Passage[];
  /** Number of paragraphs in an indexed file; 0 for an unknown file. */
  paragraphCount(file: string): number;
  stats(): LibraryStats;
  /** Re-ingests and swaps the live index atomically; questions keep being answered meanwhile. */
  reindex(): Promise<IngestSummary>;
}
