/**
 * bin/citebot.mjs runs the build in dist/ only when it is newer than every
 * source file, else the TypeScript source: an edit is never run stale. Checked
 * on a made-up project beside the real bin script, so no build is needed here.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';

const run = promisify(execFile);
let project: string;

beforeAll(async () => {
  project = await fs.mkdtemp(path.join(os.tmpdir(), 'citebot-bin-'));
  await fs.mkdir(path.join(project, 'bin'));
  await fs.writeFile(path.join(project, 'package.json'), '{"type": "module"}\n');
  await fs.copyFile(path.join(ROOT, 'bin', 'citebot.mjs'), path.join(project, 'bin', 'citebot.mjs'));
  await fs.symlink(path.join(ROOT, 'node_modules'), path.join(project, 'node_modules'));
  await fs.mkdir(path.join(project, 'src', 'cli'), { recursive: true });
  await fs.writeFile(path.join(project, 'src', 'main.ts'), "const from: string = 'source';\nconsole.log(from);\n");
  await fs.writeFile(path.join(project, 'src', 'cli', 'run.ts'), 'export {};\n');
  await fs.mkdir(path.join(project, 'dist'));
  await fs.writeFile(path.join(project, 'dist', 'main.js'), "console.log('built');\n");
});
afterAll(() => fs.rm(project, { recursive: true, force: true }));

const setTimes = async (file: string, seconds: number) => {
  const when = new Date(Date.UTC(2026, 0, 1) + seconds * 1000);
  await fs.utimes(path.join(project, file), when, when);
};
const bin = async () => (await run(process.execPath, [path.join(project, 'bin', 'citebot.mjs')])).stdout.trim();

describe('bin/citebot.mjs', () => {
  it('runs dist/ when it is newer than every source file', async () => {
    await setTimes('src/main.ts', 0);
    await setTimes('src/cli/run.ts', 0);
    await setTimes('dist/main.js', 10);
    expect(await bin()).toBe('built');
  });

  it('runs the source when any source file, however deep, changed after the build', async () => {
    await setTimes('dist/main.js', 10);
    await setTimes('src/cli/run.ts', 20);
    expect(await bin()).toBe('source');
  });

  it('runs the source when there is no build', async () => {
    await fs.rm(path.join(project, 'dist'), { recursive: true });
    expect(await bin()).toBe('source');
  });
});

describe('the build', () => {
  it('is what npm install makes (prepare), git-ignored, and includes the embedding child entry', async () => {
    const pkg = JSON.parse(await fs.readFile(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.prepare).toContain('tsc -p tsconfig.build.json');
    expect(await fs.readFile(path.join(ROOT, '.gitignore'), 'utf8')).toMatch(/^\/dist\/$/m);
    const config = JSON.parse((await fs.readFile(path.join(ROOT, 'tsconfig.build.json'), 'utf8')).replace(/^\s*\/\/.*$/gm, '')) as {
      compilerOptions: { outDir: string; rootDir: string };
    };
    expect(config.compilerOptions).toMatchObject({ outDir: 'dist', rootDir: 'src' });
    // The child is forked by path: from dist/ it must be the compiled .js, not the tsx shim.
    expect(await fs.readFile(path.join(ROOT, 'src', 'embed', 'embed-child.ts'), 'utf8')).toContain("'./child-entry.js'");
  });
});
