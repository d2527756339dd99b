/**
 * The generation folders of an index and the `CURRENT` pointer that names the
 * live one (and the previous one, kept as a fallback):
 *
 *   CURRENT   {"format":2,"generation":"gen-…","previous":"gen-…"}; replaced by rename
 *   gen-<time>-<rand>/   one complete, immutable index
 *
 * Names start with an ISO time, so sorting them sorts by age.
 *
 * @example
 * const name = newGenerationName(); // 'gen-20250101T120000000Z-9f1c2a7b'
 * await writePointer('embeddings', { format: 2, generation: name, previous: null }, realFileSystem);
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { realFileSystem, removeTempFiles, writeFileAtomic, type FileSystem } from './atomic.js';
import { isRecord } from './damaged-generation.js';

export const CURRENT = 'CURRENT';
const GENERATION_PREFIX = 'gen-';

/** What `CURRENT` holds. */
export interface Pointer {
  format: number;
  generation: string;
  previous: string | null;
}

/**
 * `CURRENT`'s text as a pointer, or null when it is not one (truncated, not
 * JSON, no valid generation name). A bad `previous` is dropped, not fatal.
 *
 * @example
 * parsePointer('{"format":2,"generation":"gen-20250101T120000000Z-9f1c2a7b"}'); // { format: 2, generation: 'gen-…', previous: null }
 */
export function parsePointer(text: string): Pointer | null {
  try {
    const value: unknown = JSON.parse(text);
    if (!isRecord(value) || typeof value.generation !== 'string' || !isGenerationName(value.generation)) return null;
    const previous = typeof value.previous === 'string' && isGenerationName(value.previous) ? value.previous : null;
    return { format: Number(value.format), generation: value.generation, previous };
  } catch {
    return null;
  }
}

/**
 * Replaces `CURRENT` by rename; the caller fsyncs the folder afterwards.
 *
 * @example
 * await writePointer('embeddings', { format: 2, generation, previous }, realFileSystem);
 */
export async function writePointer(dir: string, pointer: Pointer, fs: FileSystem): Promise<void> {
  await writeFileAtomic(path.join(dir, CURRENT), [`${JSON.stringify(pointer)}\n`], fs);
}

/**
 * Generation folder names, oldest first; none when the folder can't be read.
 *
 * @example
 * const newest = (await listGenerations('embeddings')).at(-1);
 */
export async function listGenerations(dir: string): Promise<string[]> {
  const names = await realFileSystem.readdir(dir).catch(() => [] as string[]);
  return names.filter(isGenerationName).sort();
}

/**
 * A fresh generation name: the time now, plus a random suffix so two writers never collide.
 *
 * @example
 * newGenerationName(); // 'gen-20250101T120000000Z-9f1c2a7b'
 */
export function newGenerationName(): string {
  const time = new Date().toISOString().replace(/[-:.]/g, '');
  return `${GENERATION_PREFIX}${time}-${randomBytes(4).toString('hex')}`;
}

/**
 * Deletes every generation but those in `keep` (the new one and the
 * fallback): older ones and a killed writer's leftovers, temp files included.
 *
 * @example
 * await removeOldGenerations('embeddings', [generation, previous], realFileSystem);
 */
export async function removeOldGenerations(dir: string, keep: Array<string | null>, fs: FileSystem): Promise<void> {
  const doomed = (await listGenerations(dir)).filter((name) => !keep.includes(name));
  // Best effort: a leftover folder wastes space but never breaks the index.
  await Promise.all(doomed.map((name) => fs.rm(path.join(dir, name), { recursive: true, force: true }).catch(() => undefined)));
  await removeTempFiles(dir, fs).catch(() => undefined);
}

function isGenerationName(name: string): boolean {
  return /^gen-[0-9TZ]+-[0-9a-f]+$/.test(name);
}
