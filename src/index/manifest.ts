/**
 * A generation's `manifest.json`: what the index was built from and how
 * (`IndexManifest`), stamped with the on-disk format version. It is written
 * last, so a generation whose manifest loads is complete.
 *
 * @example
 * const manifest = stampManifest(draft, passages.length, titles);
 * const again = await readManifestFile('embeddings/gen-…');
 */
import path from 'node:path';
import { writeFileAtomic, type FileSystem } from './atomic.js';
import { DamagedGeneration, isCount, isRecord, parseGenerationJson, readGenerationText } from './damaged-generation.js';
import type { IndexManifest } from '../types.js';

/**
 * On-disk format version, written to `CURRENT` and every manifest.
 * 2: the keyword index is stored in the generation; index.json holds one item per line.
 * 3: passages are read from the columnar passages.bin (index.json stays, for vectra, but is
 *    not read); every file's checksum is in the manifest and checked when it is read.
 * 4: passages.bin carries each passage's heading anchor (links into the rendered page).
 * 5: vectors.i8 holds the int8 copies of the rows the scan reads, made once at write: search
 *    loads them alone and reads vectors.f32 a row at a time, for the rows near its top-k cut.
 * 6: the passages' texts move from passages.bin to texts.bin, read a passage at a time when
 *    shown (each checked against the passage's hash); passages.bin stays in memory as columns.
 * 7: search terms fold British spellings to American ones, drop contractions typed without
 *    their apostrophe, and include operators (`==`, `$?`): keyword.bin's terms differ.
 */
export const FORMAT_VERSION = 7;

export const MANIFEST = 'manifest.json';

/** Size and modification time of a file, as last seen. */
export interface FileStamp {
  size: number;
  mtimeMs: number;
}

/**
 * The manifest as stored: `IndexManifest` plus the candidate files the loader
 * skipped (empty, binary…), so a staleness check doesn't mistake them for new
 * documents on every question.
 */
export interface StoredManifest extends IndexManifest {
  skipped?: Record<string, FileStamp>;
  /**
   * Each file's title, once: index.json items leave it out when it is their
   * file's (for a plain-text file the title is its first line, and repeating it
   * on every passage made a fifth of index.json).
   */
  titles?: Record<string, string>;
  /** sha256 (hex) of each file of the generation but the manifest, by file name (`checksum.ts`). */
  checksums: Record<string, string>;
}

/** A manifest before `writeIndex` stamps it with the format, time and passage count. */
export type ManifestDraft = Omit<StoredManifest, 'format' | 'createdAt' | 'passages' | 'titles' | 'checksums'>;

/**
 * The manifest to store for a draft: the format and time stamped, the passage
 * count, file titles and the other files' checksums filled in.
 *
 * @example
 * stampManifest({ mode: 'keyword', model: null, dim: 0, docsDir, files }, 120, { 'a.md': 'A' }, sums).format; // FORMAT_VERSION
 */
export function stampManifest(draft: ManifestDraft, passages: number, titles: Record<string, string>, checksums: Record<string, string>): StoredManifest {
  const { mode, model, dim, docsDir, files, skipped = {} } = draft;
  const createdAt = new Date().toISOString();
  return { format: FORMAT_VERSION, createdAt, mode, model, dim, docsDir, files, skipped, titles, passages, checksums };
}

/**
 * Writes `manifest.json` into a generation folder (temp-then-rename).
 *
 * @example
 * await writeManifestFile('embeddings/gen-…', stampManifest(draft, passages.length, titles), realFileSystem);
 */
export async function writeManifestFile(genDir: string, manifest: StoredManifest, fs: FileSystem): Promise<void> {
  await writeFileAtomic(path.join(genDir, MANIFEST), [`${JSON.stringify(manifest, null, 2)}\n`], fs);
}

/**
 * A generation's manifest, checked: this format, a consistent mode, model and
 * dimension. Anything else is a `DamagedGeneration`.
 *
 * @example
 * const { mode, passages } = await readManifestFile('embeddings/gen-…');
 */
export async function readManifestFile(genDir: string): Promise<StoredManifest> {
  const value = parseGenerationJson(await readGenerationText(genDir, MANIFEST), MANIFEST);
  if (!isRecord(value)) throw new DamagedGeneration(`${MANIFEST} is not an object`);
  if (value.format !== FORMAT_VERSION) {
    throw new DamagedGeneration(`${MANIFEST} says format ${String(value.format)}, expected ${FORMAT_VERSION}`);
  }
  const { mode, model, dim, passages, files, checksums } = value;
  const semantic = mode === 'semantic+keyword' && typeof model === 'string' && isCount(dim) && dim > 0;
  const keyword = mode === 'keyword' && model === null && dim === 0;
  const summed = isRecord(checksums) && Object.values(checksums).every((sum) => typeof sum === 'string');
  if (!(semantic || keyword) || !isCount(passages) || !isRecord(files) || !summed) {
    throw new DamagedGeneration(`${MANIFEST} has missing or inconsistent fields`);
  }
  return value as unknown as StoredManifest;
}
