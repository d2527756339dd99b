/**
 * A hub that accepts connections and never answers costs one timeout, not one
 * per command: the failure is remembered in the download cache for a while.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateModel, recentHubFailure, HUB_RETRY_MS, type ModelSource } from '../src/embed/model-files.js';
import { CitebotError } from '../src/errors.js';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'citebot-hub-'));
});
afterAll(() => rm(work, { recursive: true, force: true }));

/** A hub that takes every request and never answers; counts what it was asked. */
async function silentHub(): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let requests = 0;
  const server = http.createServer(() => void requests++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const failureOf = (p: Promise<unknown>): Promise<CitebotError> => p.then(() => { throw new Error('expected a failure'); }, (e: CitebotError) => e);

describe('a silent model hub', () => {
  it('is asked once; the next attempts fail at once, say why, and suggest ALLOW_MODEL_DOWNLOAD=false', async () => {
    const hub = await silentHub();
    const cacheDir = await mkdtemp(path.join(work, 'cache-'));
    const source: ModelSource = { model: 'Xenova/all-MiniLM-L6-v2', modelsDir: null, cacheDir, allowDownload: true, timeoutMs: 300, remoteHost: hub.url };
    try {
      const first = await failureOf(locateModel(source));
      expect(first.message).toMatch(/download timed out: 127\.0\.0\.1:\d+ sent nothing for 0\.3 s/);
      expect(first.hint).toContain('ALLOW_MODEL_DOWNLOAD=false');

      const second = await failureOf(locateModel(source));
      expect(second).toBeInstanceOf(CitebotError);
      expect(second.message).toMatch(
        /^Embedding model Xenova\/all-MiniLM-L6-v2 is not available \(download timed out: 127\.0\.0\.1:\d+ sent nothing for 0\.3 s, 1 min ago; not retrying for 10 min\)\.$/,
      );
      expect(second.hint).toContain('ALLOW_MODEL_DOWNLOAD=false');
      // The first attempt's request may or may not have reached the hub before it gave up; the second sent none.
      expect(hub.requests()).toBeLessThanOrEqual(1);
    } finally {
      await hub.close();
    }
    expect(await readdir(cacheDir)).toEqual(['.hub-failure.json']);
  });

  it('is tried again once the memory has expired, and for another host at once', async () => {
    const hub = await silentHub();
    const cacheDir = await mkdtemp(path.join(work, 'cache-'));
    const source: ModelSource = { model: 'Xenova/all-MiniLM-L6-v2', modelsDir: null, cacheDir, allowDownload: true, timeoutMs: 300, remoteHost: hub.url };
    try {
      await failureOf(locateModel(source));
      const remembered = await recentHubFailure(cacheDir, hub.url);
      expect(remembered?.host).toBe(new URL(hub.url).host);
      expect(await recentHubFailure(cacheDir, hub.url, remembered!.at + HUB_RETRY_MS)).toBeNull();
      expect(await recentHubFailure(cacheDir, 'https://mirror.example')).toBeNull();
    } finally {
      await hub.close();
    }
  });
});
