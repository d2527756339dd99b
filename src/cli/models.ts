/**
 * `citebot models`: which embedding model citebot would use, where it was
 * found (or where it looked), whether the hub may be asked, and how to install
 * the model on a machine without internet. Only looks: loads and downloads nothing.
 */
import path from 'node:path';
import { localModel, recentHubFailure } from '../embed/model-files.js';
import { configFor } from './context.js';
import type { CliCommand } from './command.js';

export const modelsCommand = {
  summary: 'Say which embedding model is used, where it was found, and how to install it offline.',
  usage: 'citebot models',
  options: {},
  positionals: false,
  async run(_flags, _positionals, io) {
    const config = configFor({}, io.env);
    const source = { model: config.model, modelsDir: config.modelsDir, cacheDir: config.modelCacheDir, allowDownload: config.allowDownload, timeoutMs: config.downloadTimeoutMs };
    const found = await localModel(source);
    const lines = [`Embedding model: ${config.model}`];
    if (found) {
      const where = found.root === config.modelsDir ? 'MODELS_DIR' : 'MODEL_CACHE_DIR';
      lines.push(`Found in ${where}: ${found.dir} (runs ${path.relative(found.dir, found.onnxFile)}). Mode: semantic+keyword.`);
    } else {
      const looked = [`MODELS_DIR ${config.modelsDir ?? '(not set)'}`, `MODEL_CACHE_DIR ${config.modelCacheDir}`];
      lines.push(`Not found in ${looked.join(' or ')}.`);
      lines.push(await downloadLine(config.allowDownload, config.modelHubUrl, config.modelCacheDir, config.downloadTimeoutMs));
      lines.push(
        `To install it offline, put config.json, tokenizer.json, tokenizer_config.json and onnx/model_quantized.onnx in`,
        `  ${path.join(config.modelsDir ?? '<MODELS_DIR>', ...config.model.split('/'))}/`,
        `copied from a machine that has them, and set MODELS_DIR (ways to get them: docs/models.md).`,
      );
    }
    io.out(`${lines.join('\n')}\n`);
    return 0;
  },
} satisfies CliCommand;

/** What happens without a local copy: a download, a remembered hub failure, or keyword mode. */
async function downloadLine(allowed: boolean, hub: string, cacheDir: string, timeoutMs: number): Promise<string> {
  if (!allowed) return 'Downloading is off (ALLOW_MODEL_DOWNLOAD=false): citebot runs in keyword mode.';
  const failure = await recentHubFailure(cacheDir, hub);
  if (failure) {
    const minutes = Math.max(1, Math.round((Date.now() - failure.at) / 60_000));
    return `The hub ${failure.host} failed ${minutes} min ago (${failure.reason}); until it is retried citebot runs in keyword mode. Set ALLOW_MODEL_DOWNLOAD=false if this machine never reaches it.`;
  }
  return `The next command downloads it from ${hub} into MODEL_CACHE_DIR (giving up after ${timeoutMs / 1000} s of silence), or runs in keyword mode if that fails.`;
}
