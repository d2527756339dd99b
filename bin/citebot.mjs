#!/usr/bin/env node
// Runs the built CLI (dist/, which `npm install` builds) when it is newer than
// every source file; otherwise the TypeScript source through tsx, so an edit
// made since the build is never run stale. Loading tsx and compiling on the fly
// cost most of a cold start: see bench/startup.ts.
import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

if (builtIsFresh()) {
  await import('../dist/main.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/main.ts');
}

/** dist/main.js exists and no file under src/ changed after it was written. */
function builtIsFresh() {
  let built;
  try {
    built = statSync(path.join(root, 'dist', 'main.js')).mtimeMs;
  } catch {
    return false;
  }
  const src = path.join(root, 'src');
  for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && statSync(path.join(entry.parentPath, entry.name)).mtimeMs > built) return false;
  }
  return true;
}
