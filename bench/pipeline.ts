/**
 * The reference for embedding throughput: transformers.js's own
 * `pipeline('feature-extraction')` with `{ pooling: 'mean', normalize: true }`,
 * as its README shows it, batch by batch.
 *
 * @example
 * const perSecond = await pipelineRate(modelsDir, 'citebot-test/tiny-bert', texts, 32);
 */

/** Passages per second the default pipeline embeds `texts` at (after one warm-up call). */
export async function pipelineRate(modelsDir: string, model: string, texts: string[], batchSize: number): Promise<number> {
  const { env, pipeline } = await import('@xenova/transformers');
  env.allowRemoteModels = false;
  env.localModelPath = modelsDir;
  env.useFSCache = false;
  const extract = await pipeline('feature-extraction', model);
  await extract(texts.slice(0, 2), { pooling: 'mean', normalize: true });
  const started = performance.now();
  for (let i = 0; i < texts.length; i += batchSize) {
    await extract(texts.slice(i, i + batchSize), { pooling: 'mean', normalize: true });
  }
  await extract.dispose();
  return texts.length / ((performance.now() - started) / 1000);
}
