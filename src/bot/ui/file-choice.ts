/**
 * The `file` option of /source: autocomplete over the indexed files, and the
 * check that whatever was typed names one of them. Only names from
 * `library.files()` ever come out, so no path trick can reach the filesystem;
 * the tricks get their own message so the user knows what went wrong.
 */
import { CitebotError } from '../../errors.js';
import { LIMITS } from './limits.js';
import { clipText } from '../../text/cut.js';

const ELLIPSIS = '…';

/**
 * Up to 25 files containing `typed` (case-insensitive), those starting with it first.
 * Names longer than Discord's 100 characters keep their end, marked with `…`.
 *
 * @example
 * fileChoices(['a/guide.md', 'notes.txt'], 'gui'); // [{ name: 'a/guide.md', value: 'a/guide.md' }]
 */
export function fileChoices(files: readonly string[], typed: string): Array<{ name: string; value: string }> {
  const needle = typed.trim().toLowerCase();
  const starts: string[] = [];
  const contains: string[] = [];
  for (const file of files) {
    const lower = file.toLowerCase();
    if (lower.startsWith(needle) || lower.split('/').some((part) => part.startsWith(needle))) starts.push(file);
    else if (lower.includes(needle)) contains.push(file);
    if (starts.length >= LIMITS.choices) break;
  }
  return [...starts, ...contains].slice(0, LIMITS.choices).map((file) => {
    const label = file.length <= LIMITS.choiceName ? file : `${ELLIPSIS}${file.slice(-(LIMITS.choiceName - 1))}`;
    return { name: label, value: label };
  });
}

/**
 * The indexed file `typed` names. Throws a CitebotError for path tricks
 * (`../`, absolute paths, backslashes, URL-encoding) and unknown names.
 *
 * @example
 * resolveFile(['guide.md'], 'guide.md');  // 'guide.md'
 * resolveFile(['guide.md'], '../.env');   // throws: not a file name from the index
 */
export function resolveFile(files: readonly string[], typed: string): string {
  const name = typed.trim();
  if (looksLikePathTrick(name)) {
    throw new CitebotError(`"${shown(name)}" is not a file name from the index.`, { hint: 'Pick a file from the list that /source offers.' });
  }
  if (files.includes(name)) return name;
  const suffix = name.startsWith(ELLIPSIS) ? name.slice(ELLIPSIS.length) : null;
  const matches = files.filter((f) => (suffix !== null ? f.endsWith(suffix) : f.toLowerCase() === name.toLowerCase()));
  if (matches.length === 1) return matches[0]!;
  throw new CitebotError(`No indexed file is called "${shown(name)}".`, { hint: 'Pick a file from the list that /source offers.' });
}

function looksLikePathTrick(name: string): boolean {
  let decoded = name;
  try {
    decoded = decodeURIComponent(name);
  } catch {
    return true; // malformed %-escapes are never part of a real file name from the list
  }
  return [name, decoded].some(
    (s) => s.includes('\\') || s.includes('\0') || /^([a-z]:|\/|~)/i.test(s) || s.split('/').some((seg) => seg === '..' || seg === '.') || /%2e|%2f|%5c/i.test(s),
  );
}

/** The name as typed, short and without markdown or mentions, for an error line. */
function shown(name: string): string {
  const short = clipText(name, 80, ELLIPSIS);
  return short.replace(/[`*_~|<>@\\]/g, (c) => `\\${c}`);
}
