import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { RECOMMENDED_ANSWER_THRESHOLD, answerConfidence, type AbstainFeatures } from '../src/abstain.js';
import { parseEvalCases, runEval, type EvalReport } from '../src/eval.js';
import { loadDocuments } from '../src/load.js';
import { Retriever } from '../src/retrieve.js';
import { splitDocument } from '../src/split.js';
import type { LoadedIndex } from '../src/types.js';

const ROOT = path.resolve(import.meta.dirname, '..');

async function seedIndex(): Promise<LoadedIndex> {
  const docs = await loadDocuments(path.join(ROOT, 'seeds'), () => {});
  const passages = docs.flatMap((doc) => splitDocument(doc));
  return {
    dir: '(memory)', generation: 'test', passages, vectors: null,
    manifest: { format: 1, createdAt: '', mode: 'keyword', model: null, dim: 0, docsDir: 'seeds', files: {}, passages: passages.length },
  };
}

describe('abstention on the seed article', () => {
  let report: EvalReport;
  beforeAll(async () => {
    const retriever = new Retriever(await seedIndex(), null, { answerThreshold: RECOMMENDED_ANSWER_THRESHOLD });
    const cases = parseEvalCases(await readFile(path.join(ROOT, 'test/fixtures/seed-questions.jsonl'), 'utf8'));
    expect(cases.filter((c) => c.answerable).length).toBeGreaterThanOrEqual(30);
    expect(cases.filter((c) => !c.answerable).length).toBeGreaterThanOrEqual(30);
    report = await runEval((q) => retriever.ask(q, { topK: 10 }), cases);
  });

  it('says "not in the documents" to at least 90% of off-topic questions', () => {
    expect(report.abstention.recall).toBeGreaterThanOrEqual(0.9);
  });

  it('still answers at least 95% of the questions the article answers', () => {
    expect(report.abstention.answeredRate).toBeGreaterThanOrEqual(0.95);
  });

  it('ranks the right paragraph first for most answerable questions', () => {
    expect(report.passage?.hit1).toBeGreaterThanOrEqual(0.8);
  });
});

describe('answerConfidence', () => {
  const base: AbstainFeatures = { coverage: 0.5, unseen: 0.2, strength: 0.4, gap: 0.3, matched: 3 };
  it.each([
    ['more of the question covered', { coverage: 0.9 }, 'up'],
    ['more of the question unknown to the documents', { unseen: 0.8 }, 'down'],
    ['a stronger top score', { strength: 0.8 }, 'up'],
    ['more matched terms', { matched: 5 }, 'up'],
  ] as const)('%s moves confidence %s', (_name, change, direction) => {
    const before = answerConfidence(base);
    const after = answerConfidence({ ...base, ...change });
    if (direction === 'up') expect(after).toBeGreaterThan(before);
    else expect(after).toBeLessThan(before);
  });

  it('stays within [0, 1]', () => {
    for (const f of [{ coverage: 0, unseen: 1, strength: 0, gap: 0, matched: 0 }, { coverage: 1, unseen: 0, strength: 1, gap: 1, matched: 6 }]) {
      const c = answerConfidence(f);
      expect(c).toBeGreaterThanOrEqual(0);
      expect(c).toBeLessThanOrEqual(1);
    }
  });
});
