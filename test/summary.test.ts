/** The ingest sentences shared by the command line and the bot. */
import { describe, expect, it } from 'vitest';
import { counted, ingestSentence, skippedSentence } from '../src/library/summary.js';
import type { IngestSummary } from '../src/library/ingest.js';

const summary = (over: Partial<IngestSummary>): IngestSummary => ({
  files: 2, passages: 40, added: 2, changed: 0, removed: 0, embedded: 0, mode: 'keyword', seconds: 1.23, generation: 'g', skipped: [], ...over,
});

describe('ingestSentence', () => {
  it.each([
    [{}, 'Indexed 2 files, 40 passages (2 new, 0 changed, 0 removed) in keyword mode in 1.2 s.'],
    [{ files: 1, passages: 1, added: 1 }, 'Indexed 1 file, 1 passage (1 new, 0 changed, 0 removed) in keyword mode in 1.2 s.'],
    [{ files: 0, passages: 0, added: 0, removed: 3, mode: 'semantic+keyword' as const }, 'Indexed 0 files, 0 passages (0 new, 0 changed, 3 removed) in semantic+keyword mode in 1.2 s.'],
  ])('%j → %s', (over, expected) => {
    expect(ingestSentence(summary(over))).toBe(expected);
  });

  it('pluralises any noun by count', () => {
    expect([counted(0, 'file'), counted(1, 'file'), counted(2, 'document')]).toEqual(['0 files', '1 file', '2 documents']);
  });
});

describe('skippedSentence', () => {
  const unsupported = (ext: string) => `unsupported file type (${ext}); citebot reads .txt, .md, .markdown, .html, .htm and .pdf, each also as .gz`;

  it('groups skipped files by reason in one line, biggest group first, with the extensions', () => {
    const skipped = [
      ...['a.js', 'b.js', 'c.js'].map((file) => ({ file, reason: unsupported('.js') })),
      { file: 'logo.png', reason: unsupported('.png') },
      { file: 'empty.txt', reason: 'empty file' },
      { file: 'nav.html', reason: 'no text outside markup and page chrome' },
      { file: '.git', reason: 'hidden folder' },
      { file: 'cut.txt.gz', reason: 'not valid gzip (Z_BUF_ERROR)' },
    ];
    expect(skippedSentence(skipped, '--verbose lists them')).toBe(
      '8 skipped: 4 unsupported type (.js, .png), 2 empty, 1 hidden, 1 not valid gzip; --verbose lists them.',
    );
  });

  it('says nothing when nothing was skipped, and lists at most four extensions', () => {
    expect(skippedSentence([], 'x')).toBeNull();
    const many = ['.a', '.b', '.c', '.d', '.e'].map((ext) => ({ file: `f${ext}`, reason: unsupported(ext) }));
    expect(skippedSentence(many, null)).toBe('5 skipped: 5 unsupported type (.a, .b, .c, .d, …).');
  });
});
