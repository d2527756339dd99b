/**
 * Checks the promise every passage makes: its text is a verbatim, trimmed slice
 * of the document, found at the lines it cites (HTML: through `sourceLine`).
 */
import { createHash } from 'node:crypto';
import type { LoadedDocument, Passage } from '../../src/types.js';

/**
 * Null when the passage is where it says it is; otherwise what is wrong.
 *
 * @example
 * expect(citationProblem(doc, passage)).toBeNull();
 */
export function citationProblem(doc: LoadedDocument, passage: Passage): string | null {
  if (passage.text === '' || passage.text !== passage.text.trim()) return `${passage.id}: text is empty or untrimmed`;
  const expectedId = passage.part === 0 ? `${doc.file}#${passage.paragraph}` : `${doc.file}#${passage.paragraph}.${passage.part}`;
  if (passage.id !== expectedId) return `${passage.id}: id should be ${expectedId}`;
  if (passage.hash !== createHash('sha256').update(passage.text).digest('hex').slice(0, 16)) return `${passage.id}: bad hash`;
  const lines = doc.text.split('\n');
  const source = (textLine: number): number => doc.sourceLine?.[textLine - 1] ?? textLine;
  const sourceEnd = (textLine: number): number => doc.sourceEndLine?.[textLine - 1] ?? source(textLine);
  const own = passage.text.split('\n');
  for (let first = 1; first + own.length - 1 <= lines.length; first++) {
    const last = first + own.length - 1;
    if (source(first) !== passage.lines[0] || sourceEnd(last) !== passage.lines[1]) continue;
    const window = lines.slice(first - 1, last).join('\n');
    if (window.includes(passage.text) && lines[first - 1]!.includes(own[0]!) && lines[last - 1]!.includes(own.at(-1)!)) {
      return null;
    }
  }
  return `${passage.id}: text not found at lines ${passage.lines.join('–')}`;
}
