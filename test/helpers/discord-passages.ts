/**
 * Passages and answers built from the real seed article, one paragraph per
 * line (as the splitter numbers them), for the Discord renderer's unit tests
 * and the early-development library double.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_DIR } from '../../src/config.js';
import type { Answer, Hit, Passage, Span } from '../../src/types.js';
import { passage as make } from './passage.js';

export const SEED_FILE = '000_23d5e4e5b37788fb.txt';

/** Every non-empty line of the seed article as a passage, numbered like blank-line paragraphs would be. */
export function seedPassages(): Passage[] {
  const text = readFileSync(path.join(PROJECT_DIR, 'seeds', SEED_FILE), 'utf8');
  const lines = text.split('\n');
  const out: Passage[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    out.push(passage(SEED_FILE, out.length + 1, i + 1, line, lines[0] ?? ''));
  });
  return out;
}

/** A passage with the given text, for tests that need hostile or huge text. */
export function passage(file: string, paragraph: number, line: number, text: string, title = 'Title'): Passage {
  return make(text, { file, paragraph, lines: [line, line + text.split('\n').length - 1], title, searchable: text.split(/\s+/).length >= 4 });
}

/** A hit whose highlight is the first sentence containing `needle` (or none). */
export function hit(p: Passage, needle?: string, score = 1): Hit {
  const at = needle ? p.text.indexOf(needle) : -1;
  const highlights: Span[] = at < 0 ? [] : [{ start: at, end: at + needle!.length }];
  return { passage: p, score, highlights };
}

export function answer(question: string, results: Hit[], answered = true): Answer {
  return { question, answered, verdict: answered ? 'answered' : 'none', mode: 'keyword', confidence: answered ? 0.9 : 0.1, results };
}
