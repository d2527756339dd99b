/**
 * The vectra 0.12.3 index equivalent to a citebot index: the same passages,
 * the same metadata, the same vectors, inline as vectra stores them, written by
 * vectra's own `endUpdate` (one `JSON.stringify` of the whole index).
 *
 * Items are placed in the pending update directly instead of through
 * `insertItem`: that checks each new id against every item already there
 * (`items.find`), quadratic in the index size, and would take minutes at 200k
 * without changing what is written.
 *
 * The items also carry `documentId`/`startPos`/`endPos`, and the folder one
 * `<documentId>.txt` per document, because vectra's BM25 option reads each
 * passage's text back from those (and throws without them).
 *
 * @example
 * const result = await writeVectraIndex(citebotIndexDir, docsDir, '/tmp/vectra-10k');
 * if (!result.ok) console.log(result.error); // 200k: RangeError: Invalid string length
 */
import { copyFile, mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { LocalIndex } from 'vectra';
import { openIndex } from '../src/index/store.js';
import type { Passage } from '../src/types.js';

export type VectraWrite = { ok: true; bytes: number; seconds: number } | { ok: false; error: string; seconds: number };

/** Metadata vectra's BM25 path needs, on top of citebot's own. */
interface DocumentSpan {
  documentId: string;
  startPos: number;
  endPos: number;
}

/** Writes the vectra index; reports vectra's own error when it can't. */
export async function writeVectraIndex(citebotDir: string, docsDir: string, vectraDir: string): Promise<VectraWrite> {
  const index = await openIndex(citebotDir);
  const { dim } = index.manifest;
  const vectors = index.vectors;
  if (vectors === null) throw new Error('writeVectraIndex needs a semantic index');
  await mkdir(vectraDir, { recursive: true });
  const spans = await documentSpans([...index.passages], docsDir, vectraDir);
  const vectra = new LocalIndex(vectraDir);
  await vectra.createIndex({ version: 1, deleteIfExists: true });
  await vectra.beginUpdate();
  const update = (vectra as unknown as { _update: { items: unknown[] } })._update;
  update.items = index.passages.map((passage, row) => ({
    id: passage.id,
    metadata: { ...metadataOf(passage, row), ...spans[row] },
    vector: Array.from(vectors.subarray(row * dim, (row + 1) * dim)),
    norm: 1,
  }));
  const started = performance.now();
  try {
    await vectra.endUpdate();
  } catch (err) {
    vectra.cancelUpdate();
    const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    return { ok: false, error, seconds: (performance.now() - started) / 1000 };
  }
  const seconds = (performance.now() - started) / 1000;
  return { ok: true, bytes: (await stat(path.join(vectraDir, 'index.json'))).size, seconds };
}

/** The metadata citebot's own index.json holds for a passage. */
function metadataOf(p: Passage, row: number): Record<string, string | number | boolean> {
  return {
    file: p.file,
    paragraph: p.paragraph,
    part: p.part,
    lineStart: p.lines[0],
    lineEnd: p.lines[1],
    title: p.title,
    headings: p.headings.join('\n'),
    text: p.text,
    hash: p.hash,
    searchable: p.searchable,
    row,
  };
}

/** Where each passage sits in its document, copying each document into the vectra folder. */
async function documentSpans(passages: Passage[], docsDir: string, vectraDir: string): Promise<DocumentSpan[]> {
  const spans: DocumentSpan[] = [];
  let file = '';
  let text = '';
  let documentId = '';
  for (const passage of passages) {
    if (passage.file !== file) {
      file = passage.file;
      documentId = `doc${spans.length}`;
      text = await readFile(path.join(docsDir, file), 'utf8');
      await copyFile(path.join(docsDir, file), path.join(vectraDir, `${documentId}.txt`));
    }
    const startPos = text.indexOf(passage.text);
    spans.push({ documentId, startPos, endPos: startPos + passage.text.length - 1 });
  }
  return spans;
}
