/**
 * The new index as ingest produces it, a document at a time: each document's
 * passages are written to the new generation (passages, index.json, keyword
 * runs) as soon as they are split, so no more than one document's passages
 * need be held (docs/reliability.md, "Memory").
 *
 * Nothing is written while the passages match the old index's, row for row:
 * an unchanged folder writes nothing (a read-only index folder stays usable).
 * At the first document that differs, the old rows before it (the same
 * passages) are written first, then the rest as it comes.
 *
 * @example
 * const target = new IndexTarget(indexDir, old, setupOf(draft));
 * for (const doc of docs) await target.add(splitDocument(doc));
 * const { generation, written } = await target.finish(draft, null);
 */
import { beginIndexWrite, currentGeneration, type IndexWrite } from '../index/store.js';
import { GenerationWriter } from '../index/generation-writer.js';
import type { ManifestDraft, StoredManifest } from '../index/manifest.js';
import { KeywordBuilder } from '../search/keyword.js';
import type { LoadedIndex, Passage } from '../types.js';

/** The files being written, once the first difference from the old index is found. */
interface Build {
  write: IndexWrite;
  files: GenerationWriter;
  keyword: KeywordBuilder;
}

/** Postings per keyword run (tests pass a small number to force many runs). */
export interface TargetOptions {
  runPostings?: number;
}

export class IndexTarget {
  private rows = 0;
  private matching: boolean;
  private build: Build | null = null;
  /** The old rows not compared yet. */
  private oldRows: Iterator<Passage> | null = null;

  /** `setup` is the new index's mode, model, dim and docs folder: an old index built otherwise is never kept. */
  constructor(
    private readonly indexDir: string,
    private readonly old: LoadedIndex | null,
    setup: Pick<ManifestDraft, 'mode' | 'model' | 'dim' | 'docsDir'>,
    private readonly options: TargetOptions = {},
  ) {
    const before = old?.manifest;
    this.matching = before !== undefined && before.mode === setup.mode && before.model === setup.model && before.dim === setup.dim && before.docsDir === setup.docsDir;
  }

  /** Passages added so far. */
  get passages(): number {
    return this.rows;
  }

  /**
   * Adds the next passages in row order; whole documents (the keyword index
   * weighs a long paragraph's pieces with their neighbours).
   */
  async add(passages: readonly Passage[]): Promise<void> {
    if (this.matching && this.matchesOld(passages)) {
      this.rows += passages.length;
      return;
    }
    const build = await this.writing();
    await addTo(build, passages);
    this.rows += passages.length;
  }

  /** Adds passages of whole documents held together, a document at a time. */
  async addDocuments(passages: readonly Passage[]): Promise<void> {
    for (const document of documents(passages, passages.length)) await this.add(document);
  }

  /**
   * Ends the index: the old generation when nothing changed (`written`
   * false), else the new one, written in full and made current. `vectors`
   * is asked for only then: a row per passage (null in keyword mode);
   * `beforeWrite` runs once they are there.
   */
  async finish(
    draft: ManifestDraft,
    vectors: () => Promise<Float32Array | null>,
    beforeWrite: () => void = () => undefined,
  ): Promise<{ generation: string; written: boolean }> {
    const old = this.old;
    if (old && this.matching && this.rows === old.passages.length && sameFiles(old.manifest as StoredManifest, draft) && old.generation === (await currentGeneration(old.dir))) {
      return { generation: old.generation, written: false };
    }
    const build = await this.writing();
    const rows = await vectors();
    beforeWrite();
    try {
      await build.files.finish(draft, rows, await build.keyword.finish());
    } catch (err) {
      await build.files.dispose();
      throw await build.write.abandon(err);
    }
    return { generation: await build.write.commit(), written: true };
  }

  /** Removes what was written (after a failure elsewhere); the index stays as it was. Never throws. */
  async discard(): Promise<void> {
    if (!this.build) return;
    await this.build.files.dispose();
    await this.build.write.abandon(null);
  }

  /**
   * True when these passages are the old index's next rows (and the same in
   * everything stored).
   */
  private matchesOld(passages: readonly Passage[]): boolean {
    // One pass over the old rows, in order: a stored index reads its texts a block at a time then.
    this.oldRows ??= this.old!.passages[Symbol.iterator]();
    for (const passage of passages) {
      const next = this.oldRows.next();
      if (next.done || passageKey(passage) !== passageKey(next.value)) return false;
    }
    return true;
  }

  /** The build, started on first use: the old rows matched so far are written first (they are the same passages). */
  private async writing(): Promise<Build> {
    if (this.build) return this.build;
    this.matching = false;
    const write = await beginIndexWrite(this.indexDir, { previous: this.old?.generation ?? null });
    let files: GenerationWriter;
    try {
      files = await GenerationWriter.create(write.genDir, write.fs);
    } catch (err) {
      throw await write.abandon(err);
    }
    const keyword = new KeywordBuilder(files.keywordRuns, {}, this.options.runPostings);
    this.build = { write, files, keyword };
    if (this.old) for (const document of documents(this.old.passages, this.rows)) await addTo(this.build, document);
    return this.build;
  }
}

/** One document's passages (or any whole documents) into the files and the keyword build; a failure to write is the store's one line. */
async function addTo(build: Build, passages: readonly Passage[]): Promise<void> {
  try {
    await build.files.add(passages);
    await build.keyword.add(passages);
  } catch (err) {
    await build.files.dispose();
    throw await build.write.abandon(err);
  }
}

/** The first `rows` passages, a document (a run of one file's passages) at a time. */
function* documents(passages: Iterable<Passage>, rows: number): Generator<Passage[]> {
  let document: Passage[] = [];
  let row = 0;
  for (const passage of passages) {
    if (row++ === rows) break;
    if (document.length > 0 && document[0]!.file !== passage.file) {
      yield document;
      document = [];
    }
    document.push(passage);
  }
  if (document.length > 0) yield document;
}

/** Same documents and skipped files as the old manifest. */
function sameFiles(manifest: StoredManifest, draft: ManifestDraft): boolean {
  return JSON.stringify(manifest.files) === JSON.stringify(draft.files) && JSON.stringify(manifest.skipped ?? {}) === JSON.stringify(draft.skipped);
}

/** Everything stored about a passage, in a fixed order (objects from disk and from the splitter differ in key order). */
function passageKey(p: Passage): string {
  return JSON.stringify([p.id, p.file, p.paragraph, p.part, p.lines, p.title, p.headings, p.text, p.hash, p.searchable, p.page ?? null, p.anchor ?? null]);
}
