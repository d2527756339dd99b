/** Runs the real `citebot` binary in a child process, isolated from the developer's .env. */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(ROOT, 'bin/citebot.mjs');
export const SEED = path.join(ROOT, 'seeds/000_23d5e4e5b37788fb.txt');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Environment for child processes: no Discord, no model download, nothing from the parent's citebot config. */
export function offlineEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ALLOW_MODEL_DOWNLOAD: 'false' };
  return { ...env, ...extra };
}

/**
 * @example
 * const { code, stdout } = await citebot(['ask', '--json', 'Who?'], { cwd: tmp });
 */
export function citebot(
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; input?: string },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: options.env ?? offlineEnv() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** A temp folder with a copy of the seed docs in `docs/`; removed by the returned cleanup. */
export async function seedWorkspace(): Promise<{ dir: string; docs: string; index: string; cleanup: () => Promise<void> }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'citebot-cli-'));
  const docs = path.join(dir, 'docs');
  await fs.mkdir(docs);
  await fs.copyFile(SEED, path.join(docs, path.basename(SEED)));
  return { dir, docs, index: path.join(dir, 'index'), cleanup: () => fs.rm(dir, { recursive: true, force: true }) };
}
