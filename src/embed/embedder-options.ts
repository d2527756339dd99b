/**
 * What loading an embedder takes, in-process (`loadEmbedder`) or in a child
 * process (`startEmbedderProcess`), and how a config turns into it.
 *
 * @example
 * const embedder = await loadEmbedder(embedderOptions(loadConfig(), { serving: false }));
 */
import os from 'node:os';
import { defaultEmbedThreads, type Config } from '../config.js';
import type { DownloadProgress } from './model-files.js';

export interface EmbedderOptions {
  /** Hub name, e.g. `Xenova/all-MiniLM-L6-v2`. */
  model: string;
  /** Folder laid out like the hub (`modelsDir/<org>/<name>/…`), searched first; null for none. */
  modelsDir: string | null;
  /** Where a downloaded model goes (same layout); searched second. */
  cacheDir: string;
  allowDownload: boolean;
  /** A download gives up when the host sends nothing for this long. */
  timeoutMs: number;
  /** onnxruntime intra-op threads. */
  threads: number;
  /** Texts per model run. */
  batchSize: number;
  /** Tokens per text, [CLS] and [SEP] included; the rest is cut. Default 256. */
  maxTokens?: number;
  /** Prefer `onnx/model_quantized.onnx` over `onnx/model.onnx` (default true, as transformers.js). */
  quantized?: boolean;
  /** Hub base URL (default https://huggingface.co); tests point it at a local server. */
  remoteHost?: string;
  /** Called while model files download; shells render it. */
  onProgress?: (progress: DownloadProgress) => void;
}

/**
 * The embedder options a config asks for; `serving` (a bot's embedding child)
 * leaves a core to the bot when EMBED_THREADS doesn't say otherwise.
 *
 * @example
 * const embedder = await loadEmbedder(embedderOptions(loadConfig(), { serving: false }));
 */
export function embedderOptions(config: Config, { serving, onProgress }: { serving: boolean; onProgress?: (progress: DownloadProgress) => void }): EmbedderOptions {
  return {
    model: config.model,
    modelsDir: config.modelsDir,
    cacheDir: config.modelCacheDir,
    allowDownload: config.allowDownload,
    remoteHost: config.modelHubUrl,
    timeoutMs: config.downloadTimeoutMs,
    threads: config.embedThreads ?? defaultEmbedThreads(os.availableParallelism(), { serving }),
    batchSize: config.embedBatchSize,
    ...(onProgress ? { onProgress } : {}),
  };
}
