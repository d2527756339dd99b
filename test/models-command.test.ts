/** `citebot models`, as a user runs it: which model, where it was found, or how to install it offline. */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyModel } from './fixtures/tiny-model.mjs';
import { citebot, offlineEnv } from './helpers/cli.js';

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'citebot-models-'));
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

describe('citebot models', () => {
  it('names the model and the folder it was found in', async () => {
    const modelsDir = path.join(dir, 'local');
    await writeTinyModel(modelsDir, { name: 'citebot-test/tiny-bert' });
    const result = await citebot(['models'], { env: offlineEnv({ MODELS_DIR: modelsDir, EMBEDDING_MODEL: 'citebot-test/tiny-bert' }) });
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n').slice(0, 2)).toEqual([
      'Embedding model: citebot-test/tiny-bert',
      `Found in MODELS_DIR: ${path.join(modelsDir, 'citebot-test', 'tiny-bert')} (runs onnx/model_quantized.onnx). Mode: semantic+keyword.`,
    ]);
  });

  it('without it: where it looked, that a failed hub is left alone for now, and how to install it offline', async () => {
    const cache = path.join(dir, 'cache');
    await fs.mkdir(cache, { recursive: true });
    const failure = { host: 'huggingface.co', at: Date.now(), reason: 'Embedding model X is not available (download timed out).' };
    await fs.writeFile(path.join(cache, '.hub-failure.json'), JSON.stringify(failure));
    const result = await citebot(['models'], { env: offlineEnv({ MODEL_CACHE_DIR: cache, ALLOW_MODEL_DOWNLOAD: 'true' }) });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Not found in MODELS_DIR (not set) or MODEL_CACHE_DIR ${cache}.`);
    expect(result.stdout).toMatch(/The hub huggingface\.co failed 1 min ago .*Set ALLOW_MODEL_DOWNLOAD=false/);
    expect(result.stdout).toContain('To install it offline, put config.json, tokenizer.json, tokenizer_config.json and onnx/model_quantized.onnx in');
    expect(result.stdout).toContain('docs/models.md');
  });
});
