/**
 * Shared data shapes of the core. Nothing here knows about Discord or the terminal.
 */

/** How answers were ranked: with vectors from an embedding model, or by keywords alone. */
export type Mode = 'semantic+keyword' | 'keyword';

/** A document read from the docs folder and decoded to text. */
export interface LoadedDocument {
  /** Path relative to the docs folder, with `/` separators. */
  file: string;
  /** Absolute path on disk. */
  absPath: string;
  kind: 'text' | 'markdown' | 'html' | 'pdf';
  /**
   * The decoded text that passages are sliced from. For text and Markdown this is
   * the file itself (BOM dropped, CRLF → LF). For HTML it is the extracted text.
   */
  text: string;
  /**
   * For HTML only: `sourceLine[i]` is the 1-based line in the original file
   * where line `i + 1` of `text` came from. Absent when text lines are file lines.
   */
  sourceLine?: number[];
  /** For HTML only: the source line where text line `i + 1` ends (a paragraph may wrap over several). */
  sourceEndLine?: number[];
  /** For PDF only: `page[i]` is the 1-based page that text line `i + 1` is on. */
  page?: number[];
  /** For HTML and PDF: headings, link density and `<title>` of the extracted text (Markdown finds its own). */
  outline?: DocumentOutline;
  /** sha256 (hex) of the raw bytes: a changed file re-ingests, an unchanged one doesn't. */
  sha256: string;
  size: number;
  mtimeMs: number;
}

/** A heading of a document's text, as the HTML reader finds them. */
export interface DocumentHeading {
  /** 0-based line of the document text where the heading starts. */
  line: number;
  /** 1–6 for h1–h6; 7 for a definition list's term (`<dt>`, an API signature among them), 8 for one in a list nested in a definition, …; a term's scope ends with its list. */
  level: number;
  /** The fragment that links to it (`module-csv`, without `#`), when the page has one. */
  anchor: string | null;
  /** True for the end of a term scope (a closed definition list): no text of its own; it ends the headings at `level` and deeper. */
  closes?: boolean;
}

/** Structure the HTML reader sees that plain text can't show. */
export interface DocumentOutline {
  /** The page's `<title>`, or null. */
  title: string | null;
  headings: DocumentHeading[];
  /** `linkShare[i]`: share of text line `i + 1` inside links (near 1 for a table of contents). */
  linkShare: number[];
}

/** One passage: a verbatim slice of a document, with where it came from. */
export interface Passage {
  /** Stable id: `file#paragraph`, plus `.part` when a long paragraph was split. */
  id: string;
  /** Path relative to the docs folder, with `/` separators. */
  file: string;
  /** 1-based paragraph number within the file. */
  paragraph: number;
  /** 0 for a whole paragraph; 1, 2, … for the pieces of a paragraph too long for the model. */
  part: number;
  /** 1-based inclusive line range in the source file (for a PDF, in its extracted text). */
  lines: [number, number];
  /** For a PDF: the 1-based page the passage starts on, cited as "p. 12". */
  page?: number;
  /** The document title: its first heading, or its first line. */
  title: string;
  /** Heading path above the passage (Markdown and HTML headings), outermost first; [] in plain text. */
  headings: string[];
  /** Link fragment of the nearest heading above (`module-csv`), for a link into the rendered page. */
  anchor?: string;
  /** Exactly the text of the file (or of an HTML document's extracted text). */
  text: string;
  /** Content hash (sha256 hex of `text`, first 16 chars): unchanged text is never re-embedded. */
  hash: string;
  /**
   * False for headings and scraps of a few words (`- Share via`): they keep their
   * paragraph number for `/source`, but never come back as an answer on their own.
   */
  searchable: boolean;
}

/**
 * Turns texts into vectors. Passed in (as vectra does), so tests can use a tiny
 * real model or a fake.
 */
export interface Embedder {
  /** Model name recorded in the index, e.g. `Xenova/all-MiniLM-L6-v2`. */
  readonly model: string;
  /** Vector length. */
  readonly dim: number;
  /** Embeds texts; returns `texts.length × dim` floats, row-major, each row L2-normalised. */
  embed(texts: string[]): Promise<Float32Array>;
  /** Frees the model (and its worker thread, if any). */
  close?(): Promise<void>;
  /** Whether it can embed right now (a restarting child can't), and why not; absent = always. */
  health?(): EmbedderHealth;
}

/** An embedder's state, for keyword fallback and `/stats`. */
export interface EmbedderHealth {
  available: boolean;
  /** Why it is unavailable (or why it was: cleared once it is back). */
  reason: string | null;
}

/** What one file contributed to an index. */
export interface FileRecord {
  sha256: string;
  size: number;
  mtimeMs: number;
  passages: number;
}

/** The index's own description of itself (`manifest.json` of a generation). */
export interface IndexManifest {
  /** On-disk format version; a mismatch is refused with the rebuild command. */
  format: number;
  createdAt: string;
  mode: Mode;
  /** Model that made the vectors, or null in keyword mode. */
  model: string | null;
  /** Vector length, 0 in keyword mode. */
  dim: number;
  /** Docs folder the index was built from (absolute). */
  docsDir: string;
  files: Record<string, FileRecord>;
  passages: number;
}

/**
 * Passages in row order, as a loaded index holds them: an array of them is
 * one; a stored index's is a table of columns that makes a `Passage` only
 * when asked and reads its text from disk then (`index/passage-table.ts`).
 */
export interface PassageList extends Iterable<Passage> {
  readonly length: number;
  /** The passage at `row`, or undefined past the end. */
  at(row: number): Passage | undefined;
  forEach(visit: (passage: Passage, row: number) => void): void;
  every(test: (passage: Passage, row: number) => boolean): boolean;
  some(test: (passage: Passage, row: number) => boolean): boolean;
  map<T>(make: (passage: Passage, row: number) => T): T[];
  filter(test: (passage: Passage, row: number) => boolean): Passage[];
  /** Fields of a row without making its passage, when the list keeps them as columns (a stored index's table; not an array). */
  readonly columns?: PassageColumns;
}

/** Fields of a row of a `PassageList`, read without making the passage (`columnsOf` in index/passage-table.ts). */
export interface PassageColumns {
  file(row: number): string;
  paragraph(row: number): number;
  /** Shared by the rows with the same heading path: never change it. */
  headings(row: number): readonly string[];
  searchable(row: number): boolean;
  /** The text's hash (`Passage.hash`), without reading the text. */
  hash(row: number): string;
}

/** An index loaded into memory, ready to search. */
export interface LoadedIndex {
  /** Index folder (e.g. `embeddings/`). */
  dir: string;
  /** Name of the generation folder that was loaded. */
  generation: string;
  manifest: IndexManifest;
  /** All passages, in row order (an array, or a stored index's table that reads texts from disk). */
  passages: PassageList;
  /**
   * Row i = passages[i]; null in keyword mode. In memory as `passages.length × manifest.dim`
   * floats, or, as search opens a stored index, its int8 copies with exact rows read on demand.
   */
  vectors: Float32Array | StoredVectors | null;
}

/**
 * A stored index's vectors as search reads them (docs/ARCHITECTURE.md, "Index layout"):
 * int8 copies of the rows in memory, which the scan reads, and each row's exact
 * float32 values read from the index's file when a row needs its exact score.
 * Row r is approximately `int8[r·dim + j] · scales[r]`.
 */
export interface StoredVectors {
  readonly rows: number;
  readonly dim: number;
  readonly int8: Int8Array;
  readonly scales: Float32Array;
  /** The largest ‖v − scale·int8‖ of any row (an upper bound). */
  readonly maxError: number;
  /** The largest ‖v‖ of any row (an upper bound). */
  readonly maxNorm: number;
  /** The index's vectors.f32, which `readRow` reads (a search worker opens it again). */
  readonly source: string;
  /** Copies row `row`'s exact float32 values into `into` (`dim` floats). */
  readRow(row: number, into: Float32Array): void;
}

/** A character range [start, end) inside a passage's text. */
export interface Span {
  start: number;
  end: number;
}

/** One ranked passage in an answer. */
export interface Hit {
  passage: Passage;
  /** Higher is better; comparable within one answer. */
  score: number;
  /** The sentence(s) that best answer the question, as ranges of `passage.text`. */
  highlights: Span[];
}

/**
 * The three honest outcomes: a passage clearly answers (`answered`), some come
 * close but none clearly answers (`unsure`: shown as "the closest", at most 2),
 * or nothing in the documents is near (`none`: no quotes, a next step instead).
 */
export type Verdict = 'answered' | 'unsure' | 'none';

/** What the core says about one question. */
export interface Answer {
  question: string;
  /** True only when the verdict is `answered`. */
  answered: boolean;
  verdict: Verdict;
  mode: Mode;
  /** Calibrated confidence in [0, 1] that the top result answers the question; compared with ANSWER_THRESHOLD. */
  confidence: number;
  /** What to show: the ranking when answered, at most 2 closest passages when unsure, none when none. */
  results: Hit[];
  /** The ranking whatever the verdict: for `citebot eval` and "show the nearest passages". */
  ranked?: Hit[];
}

/** Receives one human-readable warning line (a skipped file, a fallback). */
export type WarningSink = (message: string) => void;
