/**
 * Child-process side of embed-child.ts: loads the model when told to, then
 * answers embed requests, one message each. Exits when the parent goes away.
 */
import { isCitebotError } from '../errors.js';
import { loadEmbedder } from './embed.js';
import type { ParentMessage, ChildError, ChildMessage } from './embed-child.js';
import type { Embedder } from '../types.js';

function send(message: ChildMessage): void {
  process.send?.(message);
}

function toChildError(err: unknown): ChildError {
  if (isCitebotError(err)) return { message: err.message, ...(err.hint ? { hint: err.hint } : {}), citebot: true };
  if (err instanceof Error) return { message: err.message, citebot: false, ...(err.stack ? { stack: err.stack } : {}) };
  return { message: String(err), citebot: false };
}

async function load(message: Extract<ParentMessage, { type: 'load' }>): Promise<Embedder | null> {
  try {
    return await loadEmbedder({
      ...message.options,
      ...(message.reportProgress ? { onProgress: (progress) => send({ type: 'progress', progress }) } : {}),
    });
  } catch (err) {
    send({ type: 'failed', error: toChildError(err) });
    return null;
  }
}

async function embed(embedder: Embedder, { id, texts }: Extract<ParentMessage, { type: 'embed' }>): Promise<void> {
  try {
    send({ type: 'result', id, vectors: await embedder.embed(texts) });
  } catch (err) {
    send({ type: 'error', id, error: toChildError(err) });
  }
}

if (!process.send) throw new Error('child-entry.ts runs only as a child process of embed-child.ts.');
// An orphaned model process would hold hundreds of MB for nothing.
process.on('disconnect', () => process.exit(0));

let ready: Promise<Embedder | null> = Promise.resolve(null);
process.on('message', (message: ParentMessage) => {
  if (message.type === 'load') {
    ready = load(message);
    // On failure the parent has its 'failed' message and ends this process.
    void ready.then((embedder) => embedder && send({ type: 'ready', model: embedder.model, dim: embedder.dim }));
  } else {
    void ready.then((embedder) => embedder && embed(embedder, message));
  }
});
