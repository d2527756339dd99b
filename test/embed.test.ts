import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.js';
import { loadEmbedder, openEmbedder, type DownloadProgress, type EmbedderOptions } from '../src/embed/embed.js';
import { startEmbedderProcess } from '../src/embed/embed-child.js';
import { CitebotError } from '../src/errors.js';
import type { Embedder } from '../src/types.js';
import { writeTinyModel } from './fixtures/tiny-model.mjs';

const run = promisify(execFile);
const MODEL = 'citebot-test/tiny-bert';
const DIM = 32;

let work: string;
let modelsDir: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'citebot-embed-'));
  modelsDir = path.join(work, 'models');
  await writeTinyModel(modelsDir, { name: MODEL, dim: DIM });
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Options for the tiny model; never downloads unless a test says so. */
function options(overrides: Partial<EmbedderOptions> = {}): EmbedderOptions {
  return {
    model: MODEL,
    modelsDir,
    cacheDir: path.join(work, 'no-cache'),
    allowDownload: false,
    timeoutMs: 500,
    threads: 1,
    batchSize: 3,
    ...overrides,
  };
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

function row(vectors: Float32Array, i: number): Float32Array {
  return vectors.subarray(i * DIM, (i + 1) * DIM);
}

function dot(a: Float32Array, b: Float32Array): number {
  return a.reduce((sum, x, i) => sum + x * b[i]!, 0);
}

const PASSAGES = [
  'Secretary of State Marco Rubio sat down Tuesday with senior representatives of Russian President Vladimir Putin.',
  'Peace.',
  'Neither Ukraine nor any European actor was invited to the talks, an omission that reversed U.S. policy.',
  'The cat sat on the mat.',
  'A peace deal would have to be fair, enduring, sustainable and acceptable, Rubio said.',
  '',
  'Zelensky and other western officials dispute that idea.',
];

describe.each([
  ['in this thread', loadEmbedder],
  ['in a child process', (o: EmbedderOptions) => startEmbedderProcess(o)],
])('the tiny model loaded %s through transformers.js and onnxruntime', (_where, load) => {
  let embedder: Embedder;

  beforeAll(async () => {
    embedder = await load(options());
  });

  afterAll(async () => {
    await embedder.close?.();
  });

  it('reports its name and the vector length of the model output', () => {
    expect(embedder.model).toBe(MODEL);
    expect(embedder.dim).toBe(DIM);
  });

  it('returns one unit-length row per text', async () => {
    const vectors = await embedder.embed(PASSAGES);
    expect(vectors.length).toBe(PASSAGES.length * DIM);
    PASSAGES.forEach((_, i) => expect(Math.sqrt(dot(row(vectors, i), row(vectors, i)))).toBeCloseTo(1, 5));
  });

  it('gives identical text an identical vector, within a call and across calls', async () => {
    const text = PASSAGES[0]!;
    const twice = await embedder.embed([text, 'something else entirely', text]);
    const again = await embedder.embed([text]);
    expect(Array.from(row(twice, 2))).toEqual(Array.from(row(twice, 0)));
    expect(Array.from(again)).toEqual(Array.from(row(twice, 0)));
  });

  it('gives the same vectors in padded batches as one text at a time', async () => {
    const batched = await embedder.embed(PASSAGES);
    for (const [i, text] of PASSAGES.entries()) {
      const alone = await embedder.embed([text]);
      Array.from(alone).forEach((x, d) => expect(row(batched, i)[d]).toBeCloseTo(x, 6));
    }
  });

  it('puts sentences that share words closer than unrelated ones', async () => {
    const vectors = await embedder.embed([
      'Rubio met Russian officials in Riyadh for peace talks on Ukraine.',
      'Russian officials and Rubio held peace talks in Riyadh about Ukraine.',
      'The cat sat on the mat and the dog slept.',
    ]);
    expect(dot(row(vectors, 0), row(vectors, 1))).toBeGreaterThan(dot(row(vectors, 0), row(vectors, 2)) + 0.2);
  });

  it('cuts texts longer than the token window instead of failing', async () => {
    const long = Array.from({ length: 400 }, () => 'peace talks').join(' ');
    const [a, b] = [await embedder.embed([long]), await embedder.embed([`${long} with the cat on the mat`])];
    expect(Array.from(b)).toEqual(Array.from(a));
  });

  it('returns an empty array for no texts', async () => {
    expect((await embedder.embed([])).length).toBe(0);
  });
});

describe('finding the model on disk', () => {
  it('loads from the download cache when MODELS_DIR is not set', async () => {
    const cacheDir = path.join(work, 'cache-only');
    await writeTinyModel(cacheDir, { name: MODEL, dim: 8 });
    const embedder = await loadEmbedder(options({ modelsDir: null, cacheDir }));
    expect(embedder.dim).toBe(8);
  });

  it('loads onnx/model.onnx when the quantized file is absent', async () => {
    const dir = path.join(work, 'full-only');
    const folder = await writeTinyModel(dir, { name: MODEL, dim: 16 });
    await rm(path.join(folder, 'onnx', 'model_quantized.onnx'));
    expect((await loadEmbedder(options({ modelsDir: dir }))).dim).toBe(16);
  });

  it.each([
    ['missing', 'Xenova/all-MiniLM-L6-v2', /is not available \(not found in .*, and downloading is disabled\)/],
    ['a path, not a hub name', '../../etc', /Invalid embedding model name "..\/..\/etc"/],
  ])('refuses a model that is %s with a clear CitebotError', async (_case, model, message) => {
    const error = await loadEmbedder(options({ model })).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(CitebotError);
    expect((error as CitebotError).message).toMatch(message);
  });

  it('says which file is broken when the ONNX file is corrupt', async () => {
    const dir = path.join(work, 'corrupt');
    const folder = await writeTinyModel(dir, { name: MODEL });
    await writeFile(path.join(folder, 'onnx', 'model_quantized.onnx'), 'not a model');
    await expect(loadEmbedder(options({ modelsDir: dir }))).rejects.toThrow(
      /could not be loaded \(onnxruntime cannot read .*model_quantized\.onnx/,
    );
  });
});

describe('openEmbedder', () => {
  const config = (env: Record<string, string>) =>
    parseConfig({ MODEL_CACHE_DIR: path.join(work, 'empty-cache'), ALLOW_MODEL_DOWNLOAD: 'false', ...env });

  it.each([false, true])('returns the model from MODELS_DIR without a warning (thread: %s)', async (thread) => {
    const { embedder, keywordReason } = await openEmbedder(config({ MODELS_DIR: modelsDir, EMBEDDING_MODEL: MODEL }), { childProcess: thread });
    await embedder?.close?.();
    expect(embedder?.dim).toBe(DIM);
    expect(keywordReason).toBeNull();
  });

  it.each([false, true])('falls back to keyword mode and says why in one line (thread: %s)', async (thread) => {
    const { embedder, keywordReason } = await openEmbedder(config({ MODELS_DIR: path.join(work, 'nothing-here') }), { childProcess: thread });
    expect(embedder).toBeNull();
    expect(keywordReason).not.toContain('\n');
    expect(keywordReason).toMatch(
      /^Keyword mode: embedding model Xenova\/all-MiniLM-L6-v2 is not available \(not found in .*nothing-here or .*empty-cache, and downloading is disabled\)\. For semantic mode, put the model in MODELS_DIR \(see docs\/models\.md\) or set ALLOW_MODEL_DOWNLOAD=true\.$/,
    );
  });
});

/** A local stand-in for the hub. `behaviour` decides how it treats each request. */
async function fakeHub(behaviour: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(behaviour);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('downloading a model', () => {
  /** Serves the tiny model's files at /<model>/resolve/main/<file>, like the hub. */
  const serveModel = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const prefix = `/${MODEL}/resolve/main/`;
    const file = req.url?.startsWith(prefix) ? req.url.slice(prefix.length) : '';
    readFile(path.join(modelsDir, MODEL, ...file.split('/'))).then(
      (body) => res.writeHead(200, { 'content-length': body.length }).end(body),
      () => res.writeHead(404).end(),
    );
  };

  it.each([
    ['in this thread', loadEmbedder],
    ['in a child process', (o: EmbedderOptions) => startEmbedderProcess(o)],
  ])('downloads into the cache with progress, then loads from it offline (%s)', async (_where, load) => {
    const hub = await fakeHub(serveModel);
    const cacheDir = await mkdtemp(path.join(work, 'download-'));
    const progress: DownloadProgress[] = [];
    try {
      // A generous silence limit: this download must succeed however busy the machine is (it once failed with 0.5 s).
      const embedder = await load(
        options({ modelsDir: null, cacheDir, allowDownload: true, remoteHost: hub.url, timeoutMs: 60_000, onProgress: (p) => progress.push(p) }),
      );
      await embedder.close?.();
      expect(embedder.dim).toBe(DIM);
    } finally {
      await hub.close();
    }
    const finished = progress.filter((p) => p.loaded === p.total).map((p) => p.file);
    expect(finished).toEqual(['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model_quantized.onnx']);
    expect(await filesUnder(cacheDir)).toEqual(
      ['config.json', 'onnx/model_quantized.onnx', 'tokenizer.json', 'tokenizer_config.json'].map((f) => `${MODEL}/${f}`),
    );
    const offline = await loadEmbedder(options({ modelsDir: null, cacheDir, allowDownload: false }));
    expect(offline.dim).toBe(DIM);
  });

  it.each([
    ['accepts the connection but never answers', /download timed out: 127\.0\.0\.1:\d+ sent nothing for 0\.5 s/, () => undefined],
    [
      'stops sending in the middle of a file',
      /download timed out: 127\.0\.0\.1:\d+ sent nothing for 0\.5 s/,
      (_req: http.IncomingMessage, res: http.ServerResponse) => res.writeHead(200, { 'content-length': 1000 }).write('{"partial'),
    ],
    ['has no such model', /the hub has no public config\.json for it \(HTTP 404\)/, (_req: http.IncomingMessage, res: http.ServerResponse) => res.writeHead(404).end()],
  ])('fails with a clear message when the host %s, leaving no partial files', async (_case, message, behaviour) => {
    const hub = await fakeHub(behaviour);
    const cacheDir = await mkdtemp(path.join(work, 'stalled-'));
    try {
      const error = await loadEmbedder(options({ modelsDir: null, cacheDir, allowDownload: true, remoteHost: hub.url })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CitebotError);
      expect((error as CitebotError).message).toMatch(message);
      expect((error as CitebotError).hint).toMatch(/MODELS_DIR/);
    } finally {
      await hub.close();
    }
    // The only file left may be the note that remembers a silent hub (test/model-availability.test.ts).
    expect((await filesUnder(cacheDir)).filter((f) => f !== '.hub-failure.json')).toEqual([]);
  });
});

describe('the embedding process', () => {
  const crashingWorker = fileURLToPath(new URL('./fixtures/crashing-worker.mjs', import.meta.url));

  it.each([
    ['exits', 'exit', /^The embedding process stopped \(it exited with code 3\)\.$/],
    ['throws', 'throw', /^The embedding process stopped \(it exited with code 1: Error: simulated crash in the embedding process\)\.$/],
    ['crashes natively', 'abort', /^The embedding process stopped \(it was killed by SIGABRT\)\.$/],
  ])('rejects pending and later calls with a CitebotError when it %s', async (_case, model, message) => {
    const embedder = await startEmbedderProcess(options({ model }), crashingWorker);
    await expect(embedder.embed(['a question'])).rejects.toThrow(message);
    await expect(embedder.embed(['another'])).rejects.toBeInstanceOf(CitebotError);
    await embedder.close?.();
  });

  it('rejects calls still pending when it is closed, and every call after', async () => {
    const embedder = await startEmbedderProcess(options());
    const pending = embedder.embed(Array.from({ length: 200 }, (_, i) => `passage number ${i} about peace talks`));
    const rejected = expect(pending).rejects.toThrow('The embedder was closed.');
    await embedder.close?.();
    await rejected;
    await expect(embedder.embed(['later'])).rejects.toThrow('The embedder was closed.');
  });

  it.each(['close', 'leave-open'])('lets a short-lived program exit on its own (%s)', async (ending) => {
    const script = fileURLToPath(new URL('./fixtures/embed-script.mts', import.meta.url));
    // The limit only catches a program that never exits; two tsx start-ups took over 20 s at load 27.
    const { stdout } = await run(process.execPath, ['--import', 'tsx', script, modelsDir, MODEL, ending], { timeout: 80_000 });
    expect(stdout.trim()).toBe('embedded 2 texts');
  }, 90_000);

  it('passes a load failure through as the same CitebotError as in this process', async () => {
    const missing = options({ model: 'nobody/nothing' });
    const failure = (loading: Promise<Embedder>): Promise<unknown> => loading.then(() => null, (e: unknown) => e);
    const [inThread, inChild] = [await failure(loadEmbedder(missing)), await failure(startEmbedderProcess(missing))];
    expect(inChild).toBeInstanceOf(CitebotError);
    expect(inChild).toMatchObject({ message: (inThread as CitebotError).message, hint: (inThread as CitebotError).hint });
  });
});
