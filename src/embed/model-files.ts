/**
 * Model files on disk: find a model folder laid out like the Hugging Face hub
 * (`<root>/<org>/<name>/…`) in MODELS_DIR or the download cache, or download
 * it into the cache. We fetch the files ourselves, rather than letting
 * transformers.js do it, because transformers.js sets no timeout (a silent host
 * stalls it for minutes), writes no temp files (a cut download leaves a corrupt
 * model) and can't tell "offline" from "no such model".
 */
import { access, mkdir, open, readFile, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { CitebotError } from '../errors.js';

const DEFAULT_REMOTE_HOST = 'https://huggingface.co';

/** Download progress of one model file; `total` is null when the server doesn't say. */
export interface DownloadProgress {
  model: string;
  file: string;
  loaded: number;
  total: number | null;
}

export interface ModelSource {
  /** Hub name, e.g. `Xenova/all-MiniLM-L6-v2`. */
  model: string;
  /** Folder laid out like the hub, searched first; null for none. */
  modelsDir: string | null;
  /** Where downloads go (same layout); searched second. */
  cacheDir: string;
  allowDownload: boolean;
  /** Give up when the host sends nothing for this long (connecting, or mid-file). */
  timeoutMs: number;
  /** Prefer `onnx/model_quantized.onnx` (4× smaller, what transformers.js loads by default). */
  quantized?: boolean;
  /** Hub base URL; tests point it at a local server. */
  remoteHost?: string;
  onProgress?: (progress: DownloadProgress) => void;
}

/** A complete local model folder. */
export interface ModelFolder {
  /** The hub-shaped root it was found under (MODELS_DIR or the cache). */
  root: string;
  /** `root/<org>/<name>`. */
  dir: string;
  /** Absolute path of the ONNX file to run. */
  onnxFile: string;
}

const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json'];

/**
 * Returns a complete local folder for the model, downloading it first if it is
 * in neither MODELS_DIR nor the cache and downloads are allowed.
 * Throws a CitebotError that says why the model is not available.
 *
 * @example
 * const folder = await locateModel({ model: 'Xenova/all-MiniLM-L6-v2', modelsDir: null,
 *   cacheDir: 'models', allowDownload: true, timeoutMs: 10_000 });
 * folder.onnxFile; // 'models/Xenova/all-MiniLM-L6-v2/onnx/model_quantized.onnx'
 */
export async function locateModel(source: ModelSource): Promise<ModelFolder> {
  checkModelName(source.model);
  const roots = source.modelsDir === null ? [source.cacheDir] : [source.modelsDir, source.cacheDir];
  for (const root of roots) {
    const folder = await findModelFolder(root, source.model, source.quantized ?? true);
    if (folder) return folder;
  }
  if (!source.allowDownload) {
    throw unavailable(source.model, `not found in ${roots.join(' or ')}, and downloading is disabled`,
      'Put the model in MODELS_DIR (see docs/models.md) or set ALLOW_MODEL_DOWNLOAD=true.');
  }
  await refuseRecentFailure(source);
  await downloadModel(source);
  await forgetHubFailure(source.cacheDir);
  const folder = await findModelFolder(source.cacheDir, source.model, source.quantized ?? true);
  if (!folder) throw unavailable(source.model, `the download into ${source.cacheDir} is incomplete`, 'Try again.');
  return folder;
}

/**
 * Where the model is on disk (MODELS_DIR first, then the cache), without
 * downloading or loading anything; null when it is in neither.
 *
 * @example
 * const found = await localModel({ model: 'Xenova/all-MiniLM-L6-v2', modelsDir: null, cacheDir: 'models', allowDownload: false, timeoutMs: 5000 });
 * found?.onnxFile; // 'models/Xenova/all-MiniLM-L6-v2/onnx/model_quantized.onnx'
 */
export async function localModel(source: ModelSource): Promise<ModelFolder | null> {
  checkModelName(source.model);
  for (const root of source.modelsDir === null ? [source.cacheDir] : [source.modelsDir, source.cacheDir]) {
    const folder = await findModelFolder(root, source.model, source.quantized ?? true);
    if (folder) return folder;
  }
  return null;
}

/**
 * The model folder under `root` if it holds the tokenizer and an ONNX file, else null.
 * Either ONNX variant will do; `quantized` says which one wins when both are there.
 */
async function findModelFolder(root: string, model: string, quantized: boolean): Promise<ModelFolder | null> {
  const dir = path.join(root, ...model.split('/'));
  for (const file of TOKENIZER_FILES) {
    if (!(await exists(path.join(dir, file)))) return null;
  }
  const variants = quantized ? ['model_quantized.onnx', 'model.onnx'] : ['model.onnx', 'model_quantized.onnx'];
  for (const variant of variants) {
    const onnxFile = path.join(dir, 'onnx', variant);
    if (await exists(onnxFile)) return { root, dir, onnxFile };
  }
  return null;
}

/** A CitebotError for a model that can't be had, in the words the shells show. */
export function unavailable(model: string, reason: string, hint: string, cause?: unknown): CitebotError {
  return new CitebotError(`Embedding model ${model} is not available (${reason}).`, { hint, cause });
}

function checkModelName(model: string): void {
  const segments = model.split('/');
  const valid = segments.length <= 2 && segments.every((s) => /^[\w.-]+$/.test(s) && s !== '.' && s !== '..');
  if (!valid) {
    throw new CitebotError(`Invalid embedding model name ${JSON.stringify(model)}: expected a hub name like Xenova/all-MiniLM-L6-v2.`, {
      hint: 'Fix EMBEDDING_MODEL in .env or the environment.',
    });
  }
}

/** Downloads what `findModelFolder` needs (plus config.json) into the cache, skipping files already there. */
async function downloadModel(source: ModelSource): Promise<void> {
  const onnx = (source.quantized ?? true) ? 'onnx/model_quantized.onnx' : 'onnx/model.onnx';
  const dir = path.join(source.cacheDir, ...source.model.split('/'));
  const host = (source.remoteHost ?? DEFAULT_REMOTE_HOST).replace(/\/+$/, '');
  // Small files first: a wrong model name fails on a 404 before 20 MB of ONNX.
  for (const file of ['config.json', ...TOKENIZER_FILES, onnx]) {
    const target = path.join(dir, ...file.split('/'));
    if (await exists(target)) continue;
    await downloadFile(`${host}/${source.model}/resolve/main/${file}`, target, file, source);
  }
}

/** Streams one file to `target` via a temp file; aborts when the host is silent for `timeoutMs`. */
async function downloadFile(url: string, target: string, file: string, source: ModelSource): Promise<void> {
  const controller = new AbortController();
  let timer = setTimeout(() => controller.abort(), source.timeoutMs);
  const stillAlive = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(), source.timeoutMs);
  };
  const temp = `${target}.${process.pid}.part`;
  const failWrite = (err: unknown): Promise<never> => Promise.reject(cannotWrite(source.model, temp, err));
  try {
    const response = await fetch(url, { signal: controller.signal });
    if (!response.ok || !response.body) throw httpError(source.model, response.status, file);
    const total = Number(response.headers.get('content-length')) || null;
    const report = progressReporter(source, file, total);
    const output = await writable(temp, source.model);
    try {
      let loaded = 0;
      for await (const chunk of response.body) {
        stillAlive();
        await output.write(chunk).catch(failWrite);
        loaded += chunk.byteLength;
        report(loaded);
      }
      await output.sync().catch(failWrite);
    } finally {
      await output.close();
    }
    await rename(temp, target).catch(failWrite);
  } catch (err) {
    await rm(temp, { force: true });
    if (err instanceof CitebotError) throw err;
    const failure = networkError(source, url, controller.signal.aborted, err);
    await rememberHubFailure(source, failure.message);
    throw failure;
  } finally {
    clearTimeout(timer);
  }
}

async function writable(file: string, model: string): Promise<FileHandle> {
  try {
    await mkdir(path.dirname(file), { recursive: true });
    return await open(file, 'w');
  } catch (err) {
    throw cannotWrite(model, file, err);
  }
}

function cannotWrite(model: string, file: string, err: unknown): CitebotError {
  return unavailable(model, `cannot write ${file}: ${errorCode(err) ?? String(err)}`,
    'Set MODEL_CACHE_DIR to a writable folder with room for the model.', err);
}

/** Calls onProgress at the start, on each new whole percent (or MiB when the size is unknown), and at the end. */
function progressReporter(source: ModelSource, file: string, total: number | null): (loaded: number) => void {
  const onProgress = source.onProgress;
  if (!onProgress) return () => undefined;
  const step = total === null ? 1 << 20 : Math.max(1, total / 100);
  let lastStep = -1;
  onProgress({ model: source.model, file, loaded: 0, total });
  return (loaded) => {
    const at = Math.floor(loaded / step);
    if (at === lastStep && loaded !== total) return;
    lastStep = at;
    onProgress({ model: source.model, file, loaded, total });
  };
}

function httpError(model: string, status: number, file: string): CitebotError {
  if (status === 401 || status === 403 || status === 404) {
    return unavailable(model, `the hub has no public ${file} for it (HTTP ${status})`,
      'Check EMBEDDING_MODEL, or put the model in MODELS_DIR (see docs/models.md).');
  }
  return unavailable(model, `downloading ${file} failed with HTTP ${status}`, 'Try again later, or put the model in MODELS_DIR (see docs/models.md).');
}

function networkError(source: ModelSource, url: string, timedOut: boolean, err: unknown): CitebotError {
  const host = new URL(url).host;
  const hint = NETWORK_HINT;
  if (timedOut) {
    const seconds = Number((source.timeoutMs / 1000).toFixed(1));
    return unavailable(source.model, `download timed out: ${host} sent nothing for ${seconds} s`, hint, err);
  }
  const code = errorCode(err);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return unavailable(source.model, `cannot resolve ${host} (${code}): offline?`, hint, err);
  }
  const why = code ?? (err instanceof Error ? err.message : String(err));
  return unavailable(source.model, `cannot download from ${host}: ${why}`, hint, err);
}

const NETWORK_HINT = 'Put the model in MODELS_DIR (see docs/models.md), or set ALLOW_MODEL_DOWNLOAD=false to stop trying.';

/**
 * How long a hub that failed is left alone. A host that accepts connections
 * and never answers would otherwise cost every `citebot ask` the whole timeout.
 */
export const HUB_RETRY_MS = 10 * 60_000;
/** In the download cache: the last hub failure, so the next commands skip the hub for a while. */
const HUB_FAILURE_FILE = '.hub-failure.json';

/** A remembered hub failure: which host, when (ms since the epoch), and the words it failed with. */
export interface HubFailure {
  host: string;
  at: number;
  reason: string;
}

/**
 * The hub failure remembered in `cacheDir` for `host`, while it still counts; else null.
 *
 * @example
 * const failure = await recentHubFailure('models', 'https://huggingface.co');
 * if (failure) console.log(`hub failed at ${new Date(failure.at).toISOString()}: ${failure.reason}`);
 */
export async function recentHubFailure(cacheDir: string, remoteHost: string, now = Date.now()): Promise<HubFailure | null> {
  const text = await readFile(path.join(cacheDir, HUB_FAILURE_FILE), 'utf8').catch(() => null);
  if (text === null) return null;
  try {
    const failure = JSON.parse(text) as Partial<HubFailure>;
    const fresh = typeof failure.at === 'number' && now - failure.at < HUB_RETRY_MS && now >= failure.at;
    const same = failure.host === hostOf(remoteHost);
    return fresh && same && typeof failure.reason === 'string' ? (failure as HubFailure) : null;
  } catch {
    return null; // A damaged note is no reason to stay offline.
  }
}

async function refuseRecentFailure(source: ModelSource): Promise<void> {
  const failure = await recentHubFailure(source.cacheDir, source.remoteHost ?? DEFAULT_REMOTE_HOST);
  if (!failure) return;
  const minutes = (ms: number): string => `${Math.max(1, Math.round(ms / 60_000))} min`;
  const ago = Date.now() - failure.at;
  const reason = failure.reason.replace(/^Embedding model \S+ is not available \((.*)\)\.$/, '$1');
  throw unavailable(source.model, `${reason}, ${minutes(ago)} ago; not retrying for ${minutes(HUB_RETRY_MS - ago)}`, NETWORK_HINT);
}

/** Best effort: a cache folder that can't be written only means the next command waits again. */
async function rememberHubFailure(source: ModelSource, reason: string): Promise<void> {
  const failure: HubFailure = { host: hostOf(source.remoteHost ?? DEFAULT_REMOTE_HOST), at: Date.now(), reason };
  await mkdir(source.cacheDir, { recursive: true })
    .then(() => writeFile(path.join(source.cacheDir, HUB_FAILURE_FILE), `${JSON.stringify(failure)}\n`))
    .catch(() => undefined);
}

async function forgetHubFailure(cacheDir: string): Promise<void> {
  await rm(path.join(cacheDir, HUB_FAILURE_FILE), { force: true }).catch(() => undefined);
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** The system error code (ENOTFOUND, ECONNREFUSED…) that undici hides in `cause`. */
function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code.startsWith('E')) return code;
  }
  return undefined;
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
