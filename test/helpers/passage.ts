/**
 * The one builder of test passages: every field a real one has, with plain
 * defaults, so a test names only what it is about (and a new Passage field is
 * added here once).
 *
 * @example
 * passage('The talks lasted four hours.', { file: 'a.txt', paragraph: 2 });
 * // → { id: 'a.txt#2', file: 'a.txt', paragraph: 2, lines: [2, 2], text: 'The talks…', searchable: true, … }
 */
import { createHash } from 'node:crypto';
import type { Passage } from '../../src/types.js';

export function passage(text: string, fields: Partial<Passage> = {}): Passage {
  const file = fields.file ?? 'a.txt';
  const paragraph = fields.paragraph ?? 1;
  return {
    id: `${file}#${paragraph}`,
    file,
    paragraph,
    part: 0,
    lines: [paragraph, paragraph],
    title: '',
    headings: [],
    text,
    hash: createHash('sha256').update(text).digest('hex').slice(0, 16),
    searchable: true,
    ...fields,
  };
}
