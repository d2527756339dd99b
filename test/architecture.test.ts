/**
 * The layering rules of docs/ARCHITECTURE.md, checked on the source itself:
 * every import of every `src/**\/*.ts` (type-only and dynamic ones too) is
 * read with TypeScript's own parser, then
 *   - no module may be part of an import circle,
 *   - no module may import from a layer above its own (LAYERS below),
 *   - `process.env` is read only in src/config.ts, and `process.exit` is
 *     called only in src/main.ts and the embed child's entry.
 * The rules are also run on small made-up graphs, so each check is seen to fail.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';

const SRC = path.join(ROOT, 'src');

/**
 * Bottom-up. A module (its path relative to src/) belongs to the layer of the
 * longest entry that names it or its folder, and may import only from its own
 * layer and those below. index/store.ts is the index folder's API, so the rest
 * of index/ sits below it.
 */
const LAYERS: string[][] = [
  ['types.ts', 'errors.ts', 'config.ts'],
  ['text/'],
  ['documents/'],
  ['embed/'],
  ['index/'],
  ['index/store.ts'],
  ['search/'],
  ['library/'],
  ['bot/'],
  ['cli/'],
  ['main.ts'],
];

const ALLOWED = {
  'process.env': ['config.ts'],
  'process.exit': ['main.ts', 'embed/child-entry.ts'],
};

type Graph = Map<string, string[]>;

/** Every .ts file under `dir`, as paths relative to src/ with forward slashes. */
function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (entry.name.endsWith('.ts')) out.push(path.relative(SRC, full).split(path.sep).join('/'));
  }
  return out.sort();
}

/** The project modules `file` imports (static, type-only, re-exports and dynamic `import()`). */
function importsOf(file: string, text: string): string[] {
  const { importedFiles } = ts.preProcessFile(text, true, true);
  return importedFiles
    .map((ref) => ref.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => path.posix.normalize(path.posix.join(path.posix.dirname(file), name)).replace(/\.js$/, '.ts'));
}

/** The layer number of `file`, or -1 when no entry names it. */
function layerOf(file: string): number {
  let best = { layer: -1, length: 0 };
  for (const [layer, entries] of LAYERS.entries()) {
    for (const entry of entries) {
      const names = file === entry || (entry.endsWith('/') && file.startsWith(entry));
      if (names && entry.length > best.length) best = { layer, length: entry.length };
    }
  }
  return best.layer;
}

/** Each import circle once, as the modules along it (Tarjan's strongly connected components). */
function circles(graph: Graph): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || (graph.get(node) ?? []).includes(node)) found.push(component.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

/** "a.ts (layer 3) imports b.ts (layer 5)" for every import that runs upward. */
function upwardImports(graph: Graph): string[] {
  const out: string[] = [];
  for (const [file, targets] of graph) {
    for (const target of targets) {
      if (layerOf(target) > layerOf(file)) out.push(`${file} (layer ${layerOf(file)}) imports ${target} (layer ${layerOf(target)})`);
    }
  }
  return out;
}

/** "file: process.env" for every use of a guarded `process.*` member outside the files allowed it. */
function processUses(file: string, text: string): string[] {
  const out: string[] = [];
  // Parsing is the slow part; a file that never says "process" has nothing to find.
  if (!text.includes('process')) return out;
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const walk = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'process') {
      const member = `process.${node.name.text}` as keyof typeof ALLOWED;
      if (member in ALLOWED && !ALLOWED[member].includes(file)) out.push(`${file}: ${member}`);
    }
    ts.forEachChild(node, walk);
  };
  walk(source);
  return out;
}

function sourceGraph(): { graph: Graph; texts: Map<string, string> } {
  const graph: Graph = new Map();
  const texts = new Map<string, string>();
  for (const file of sourceFiles(SRC)) {
    const text = fs.readFileSync(path.join(SRC, file), 'utf8');
    texts.set(file, text);
    graph.set(file, importsOf(file, text));
  }
  return { graph, texts };
}

describe('architecture', () => {
  const { graph, texts } = sourceGraph();

  it('src/ holds only types.ts, errors.ts, config.ts and main.ts at the top, the rest in folders', () => {
    expect([...graph.keys()].filter((f) => !f.includes('/'))).toEqual(['config.ts', 'errors.ts', 'main.ts', 'types.ts']);
  });

  it('every module is in a layer and every import resolves to a module', () => {
    expect([...graph.keys()].filter((f) => layerOf(f) < 0)).toEqual([]);
    const missing = [...graph].flatMap(([file, targets]) => targets.filter((t) => !graph.has(t)).map((t) => `${file} → ${t}`));
    expect(missing).toEqual([]);
  });

  it('has no import circles', () => {
    expect(circles(graph)).toEqual([]);
  });

  it('no module imports from a layer above its own', () => {
    expect(upwardImports(graph)).toEqual([]);
  });

  it('reads process.env only in config.ts and calls process.exit only in main.ts and the embed child', () => {
    expect([...texts].flatMap(([file, text]) => processUses(file, text))).toEqual([]);
  });

  describe('the checks themselves fail on bad code', () => {
    it('finds a circle through a type-only import', () => {
      const a = importsOf('library/library.ts', "import type { X } from './ingest.js';\nexport const a = 1;");
      const b = importsOf('library/ingest.ts', "import { a } from './library.js';");
      const made: Graph = new Map([
        ['library/library.ts', a],
        ['library/ingest.ts', b],
        ['text/tokenize.ts', []],
      ]);
      expect(circles(made)).toEqual([['library/ingest.ts', 'library/library.ts']]);
    });

    it('finds an upward import, including a dynamic one and one inside index/', () => {
      const made: Graph = new Map([
        ['index/lock.ts', importsOf('index/lock.ts', "import { indexWriteError } from './store.js';")],
        ['index/store.ts', []],
        ['text/spans.ts', importsOf('text/spans.ts', "const m = await import('../search/keyword.js');")],
        ['search/keyword.ts', importsOf('search/keyword.ts', "import { tokenize } from '../text/tokenize.js';")],
        ['text/tokenize.ts', []],
      ]);
      expect(upwardImports(made)).toEqual([
        'index/lock.ts (layer 4) imports index/store.ts (layer 5)',
        'text/spans.ts (layer 1) imports search/keyword.ts (layer 6)',
      ]);
    });

    it('ignores imports in comments and strings but finds process.env and process.exit in code', () => {
      expect(importsOf('cli/ask.ts', "/** import { x } from '../bot/serve.js' */\nconst s = \"import '../main.js'\";")).toEqual([]);
      const code = "// process.env in a comment\nconst v = process.env.TOKEN;\nif (v) process.exit(1);";
      expect(processUses('search/retrieve.ts', code)).toEqual(['search/retrieve.ts: process.env', 'search/retrieve.ts: process.exit']);
      expect(processUses('config.ts', 'const v = process.env.X;')).toEqual([]);
    });
  });
});
