/**
 * Running `citebot` as a user does, isolated from the developer's .env: in
 * this process through `main(argv, io)` (most tests), or as the real binary in
 * a child process (the few smoke tests of the process itself).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { streamIo, type Io } from '../../src/cli/io.js';
import { main } from '../../src/cli/run.js';
import type { Env } from '../../src/config.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(ROOT, 'bin/citebot.mjs');
export const SEED = path.join(ROOT, 'seeds/000_23d5e4e5b37788fb.txt');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Environment for citebot: no Discord, no model download, nothing from the parent's citebot config. */
export function offlineEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ALLOW_MODEL_DOWNLOAD: 'false' };
  return { ...env, ...extra };
}

/** A stream that keeps what is written to it (synchronously, so nothing is pending when a command returns). */
class Captured extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/**
 * An `Io` over piped streams, built by the product's own `streamIo` (so colour
 * and progress are decided as for the process), with what was written to each.
 *
 * @example
 * const { io, stderr } = capturedIo({ env: offlineEnv() });
 */
export function capturedIo(options: { env?: Env; input?: string } = {}): { io: Io; stdout: () => string; stderr: () => string } {
  const stdout = new Captured();
  const stderr = new Captured();
  const stdin = Readable.from(options.input ? [options.input] : []);
  const io = streamIo({ stdin, stdout, stderr }, options.env ?? offlineEnv());
  return { io, stdout: () => stdout.text, stderr: () => stderr.text };
}

/**
 * Runs `citebot args` in this process, with stdin piped from `input`: the same
 * stdout, stderr and exit code `src/main.ts` gives a user, in a fraction of the time.
 *
 * @example
 * const { code, stdout } = await citebot(['ask', '--json', 'Who?'], { env: offlineEnv({ TOP_K: '5' }) });
 */
export async function citebot(args: string[], options: { env?: Env; input?: string } = {}): Promise<CliResult> {
  const { io, stdout, stderr } = capturedIo(options);
  const code = await main(args, io);
  return { code, stdout: stdout(), stderr: stderr() };
}

/**
 * Runs the real `citebot` binary (bin/citebot.mjs) in a child process: for the
 * smoke tests of what only a process shows (its exit code, its own streams).
 *
 * @example
 * const { code, stderr } = await spawnCitebot(['frobnicate'], { cwd: tmp });
 */
export function spawnCitebot(
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
