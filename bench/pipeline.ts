/**
 * The reference for embedding throughput: transformers.js's own
 * `pipeline('feature-extraction')` with `{ pooling: 'mean', normalize: true }`,
 * as its README shows it, batch by batch.
 *
 * @example
 * const { seconds, vectors } = await pipelineEmbed(modelsDir, 'citebot-test/tiny-bert', texts, 32);
 */

/** Embeds `texts` with the default pipeline (after one warm-up call); returns the time taken and the vectors. */
export async function pipelineEmbed(
  modelsDir: string,
  model: string,
  texts: string[],
  batchSize: number,
): Promise<{ seconds: number; vectors: Float32Array }> {
  const { env, pipeline } = await import('@xenova/transformers');
  env.allowRemoteModels = false;
  env.localModelPath = modelsDir;
  env.useFSCache = false;
  const extract = await pipeline('feature-extraction', model);
  await extract(texts.slice(0, 2), { pooling: 'mean', normalize: true });
  const parts: Float32Array[] = [];
  const started = performance.now();
  for (let i = 0; i < texts.length; i += batchSize) {
    const output = await extract(texts.slice(i, i + batchSize), { pooling: 'mean', normalize: true });
    parts.push(output.data as Float32Array);
  }
  const seconds = (performance.now() - started) / 1000;
  await extract.dispose();
  const vectors = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (vectors.set(p, at), at + p.length), 0);
  return { seconds, vectors };
}

/** Passages per second the default pipeline embeds `texts` at. */
export async function pipelineRate(modelsDir: string, model: string, texts: string[], batchSize: number): Promise<number> {
  const { seconds } = await pipelineEmbed(modelsDir, model, texts, batchSize);
  return texts.length / seconds;
}
