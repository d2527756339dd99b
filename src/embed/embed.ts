/**
 * Text → vectors with a local ONNX sentence-embedding model (default
 * `Xenova/all-MiniLM-L6-v2`). transformers.js tokenises; onnxruntime-node runs
 * the model directly, because transformers.js 2.17.2 passes no session options
 * (so no thread count) to onnxruntime; pooling is ours (see pooling.ts).
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { PreTrainedTokenizer } from '@xenova/transformers';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import type { Config } from '../config.js';
import { CitebotError, isCitebotError } from '../errors.js';
import { embedderOptions, type EmbedderOptions } from './embedder-options.js';
import { locateModel, type DownloadProgress, type ModelFolder } from './model-files.js';
import { meanPoolInto } from './pooling.js';
import type { Embedder, WarningSink } from '../types.js';
import { startEmbedderProcess } from './embed-child.js';
import { RestartingEmbedder } from './restarting-embedder.js';

// The shapes loadEmbedder and openEmbedder take, declared where they are made.
export type { DownloadProgress } from './model-files.js';
export type { EmbedderOptions } from './embedder-options.js';

/** all-MiniLM-L6-v2 was trained on 256-token windows; longer input only dilutes the vector. */
export const DEFAULT_MAX_TOKENS = 256;

/**
 * Loads the model in this thread. Inference then blocks the event loop while a
 * batch runs; a server should prefer `startEmbedderProcess`.
 * Throws a CitebotError saying why when the model can't be had or run.
 *
 * @example
 * const embedder = await loadEmbedder({ model: 'Xenova/all-MiniLM-L6-v2', modelsDir: null,
 *   cacheDir: 'models', allowDownload: true, timeoutMs: 10_000, threads: 1, batchSize: 32 });
 * const vectors = await embedder.embed(['first passage', 'second passage']); // 2 × 384 floats
 */
export async function loadEmbedder(options: EmbedderOptions): Promise<Embedder> {
  const folder = await locateModel(options);
  const ort = await onnxRuntime();
  const [tokenizer, session] = await Promise.all([loadTokenizer(folder, options.model), openSession(ort, folder, options)]);
  // Two tokens is the least that holds [CLS] and [SEP].
  const maxTokens = Math.max(2, options.maxTokens ?? DEFAULT_MAX_TOKENS);
  const runner = new BatchRunner(tokenizer, session, ort.Tensor, maxTokens);
  // One run up front: it reads the vector length and proves the model works before any ingest starts.
  const dim = await runner.probeDim().catch((err: unknown) => {
    throw cannotLoad(options.model, folder, `running it failed: ${firstLine(err)}`, err);
  });
  return new OnnxEmbedder(options.model, dim, Math.max(1, options.batchSize), runner);
}

/** What `openEmbedder` chose: a model, or keyword mode and the one line that says why. */
export type EmbedderChoice = { embedder: Embedder; keywordReason: null } | { embedder: null; keywordReason: string };

/**
 * What the shells call: the embedder, or null for keyword mode with the reason,
 * one line saying why and how to get semantic mode, for the shell to show.
 * `childProcess: true` runs the model in a child process (for the bot, whose
 * heartbeats must not wait; see embed-child.ts).
 *
 * @example
 * const { embedder, keywordReason } = await openEmbedder(config, { childProcess: true });
 * if (keywordReason) console.warn(keywordReason); // 'Keyword mode: embedding model … is not available (…). For semantic mode, …'
 */
export async function openEmbedder(
  config: Config,
  opts: { childProcess?: boolean; onProgress?: (progress: DownloadProgress) => void; warn?: WarningSink } = {},
): Promise<EmbedderChoice> {
  // The child process is for a serving bot (see embed-child.ts): it leaves the bot a core.
  const options = embedderOptions(config, { serving: opts.childProcess ?? false, ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) });
  try {
    const embedder = opts.childProcess ? await restartingChild(options, opts.warn ?? (() => undefined)) : await loadEmbedder(options);
    return { embedder, keywordReason: null };
  } catch (err) {
    if (!isCitebotError(err)) throw err;
    return { embedder: null, keywordReason: keywordModeWarning(err) };
  }
}

/** A child that is restarted when it dies (see restarting-embedder.ts); later starts report no download progress. */
async function restartingChild(options: EmbedderOptions, warn: WarningSink): Promise<Embedder> {
  const { onProgress: _progress, ...quiet } = options;
  return new RestartingEmbedder(await startEmbedderProcess(options), () => startEmbedderProcess(quiet), warn);
}

/** `Keyword mode: embedding model X is not available (why). For semantic mode, <what to do>` */
function keywordModeWarning(err: CitebotError): string {
  const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);
  const fix = err.hint ? ` For semantic mode, ${lowerFirst(err.hint)}` : '';
  return `Keyword mode: ${lowerFirst(err.message)}${fix}`;
}

class OnnxEmbedder implements Embedder {
  private closed = false;

  constructor(
    readonly model: string,
    readonly dim: number,
    private readonly batchSize: number,
    private readonly runner: BatchRunner,
  ) {}

  async embed(texts: string[]): Promise<Float32Array> {
    if (this.closed) throw new CitebotError('The embedder was closed.');
    const out = new Float32Array(texts.length * this.dim);
    const ids = texts.map((text) => this.runner.tokenize(text));
    // Longest first, so texts of similar length share a batch and little compute goes to padding.
    const order = ids.map((_, i) => i).sort((a, b) => ids[b]!.length - ids[a]!.length);
    for (let start = 0; start < order.length; start += this.batchSize) {
      const rows = order.slice(start, start + this.batchSize);
      await this.runner.run(rows.map((row) => ids[row]!), out, rows, this.dim);
      // Inference is synchronous: let timers and sockets in between batches.
      await yieldToEventLoop();
    }
    return out;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/** Token ids in, pooled rows out: one model run per call. */
class BatchRunner {
  private readonly outputName: string;

  constructor(
    private readonly tokenizer: PreTrainedTokenizer,
    private readonly session: InferenceSession,
    private readonly Tensor: OnnxRuntime['Tensor'],
    private readonly maxTokens: number,
  ) {
    this.outputName = session.outputNames.includes('last_hidden_state') ? 'last_hidden_state' : session.outputNames[0]!;
  }

  /** Token ids with [CLS]/[SEP], cut to maxTokens keeping the final [SEP] as the model saw in training. */
  tokenize(text: string): number[] {
    const ids = this.tokenizer.encode(text);
    if (ids.length <= this.maxTokens) return ids;
    return [...ids.slice(0, this.maxTokens - 1), ids[ids.length - 1]!];
  }

  async probeDim(): Promise<number> {
    const hidden = await this.forward([this.tokenize('probe')]);
    const dim = hidden.dims[2];
    if (hidden.dims.length !== 3 || !dim) throw new Error(`expected [batch, tokens, dim] output, got [${hidden.dims.join(', ')}]`);
    return dim;
  }

  /** Runs one batch and writes its pooled, normalised rows into `out` at `rows`. */
  async run(batch: number[][], out: Float32Array, rows: number[], dim: number): Promise<void> {
    const hidden = await this.forward(batch);
    const seqLen = hidden.dims[1] ?? 0;
    meanPoolInto(hidden.data as Float32Array, batch.map((ids) => ids.length), seqLen, dim, out, rows);
  }

  /** Right-pads the batch to its longest text and returns the token vectors. */
  private async forward(batch: number[][]): Promise<Tensor> {
    const Tensor = this.Tensor;
    const seqLen = Math.max(...batch.map((ids) => ids.length));
    const inputIds = new BigInt64Array(batch.length * seqLen);
    const mask = new BigInt64Array(batch.length * seqLen);
    batch.forEach((ids, b) => {
      ids.forEach((id, t) => {
        inputIds[b * seqLen + t] = BigInt(id);
        mask[b * seqLen + t] = 1n;
      });
    });
    const dims = [batch.length, seqLen];
    const available: Record<string, Tensor> = {
      input_ids: new Tensor('int64', inputIds, dims),
      attention_mask: new Tensor('int64', mask, dims),
      token_type_ids: new Tensor('int64', new BigInt64Array(inputIds.length), dims),
    };
    const feeds = Object.fromEntries(this.session.inputNames.map((name) => [name, available[name]!]));
    const output = await this.session.run(feeds);
    return output[this.outputName]!;
  }
}

type OnnxRuntime = typeof import('onnxruntime-node');

/** Imported on first use, so keyword mode never pays for loading the native runtime. */
async function onnxRuntime(): Promise<OnnxRuntime> {
  const ort = await import('onnxruntime-node');
  // onnxruntime-node is CommonJS: its exports sit on `default` when imported from ESM.
  return (ort as { default?: OnnxRuntime }).default ?? ort;
}

async function openSession(ort: OnnxRuntime, folder: ModelFolder, options: EmbedderOptions): Promise<InferenceSession> {
  try {
    return await ort.InferenceSession.create(folder.onnxFile, {
      executionProviders: ['cpu'],
      intraOpNumThreads: Math.max(1, options.threads),
      // One model, one run at a time: extra inter-op threads only compete for cores.
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
    });
  } catch (err) {
    throw cannotLoad(options.model, folder, `onnxruntime cannot read ${folder.onnxFile}: ${firstLine(err)}`, err);
  }
}

/**
 * transformers.js reads its settings from one global `env`; loads take turns so
 * two embedders with different folders can't see each other's settings.
 */
let tokenizerLoads: Promise<unknown> = Promise.resolve();

async function loadTokenizer(folder: ModelFolder, model: string): Promise<PreTrainedTokenizer> {
  const load = tokenizerLoads.then(async () => {
    const { AutoTokenizer, env } = await import('@xenova/transformers');
    env.allowLocalModels = true;
    env.allowRemoteModels = false;
    env.localModelPath = folder.root;
    // Its file cache is read before localModelPath: a stale copy there would win.
    env.useFSCache = false;
    env.useBrowserCache = false;
    return AutoTokenizer.from_pretrained(model, { local_files_only: true });
  });
  tokenizerLoads = load.catch(() => undefined);
  try {
    return await load;
  } catch (err) {
    throw cannotLoad(model, folder, `its tokenizer is unreadable: ${firstLine(err)}`, err);
  }
}

function cannotLoad(model: string, folder: ModelFolder, reason: string, cause: unknown): CitebotError {
  return new CitebotError(`Embedding model ${model} could not be loaded (${reason}).`, {
    hint: `Replace the files in ${folder.dir} (see docs/models.md).`,
    cause,
  });
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0]!.trim();
}
