/** Types for minilm-model.mjs (a plain script, so it runs with `node` alone). */
export declare const MINILM_SHAPE: { layers: number; hidden: number; heads: number; ffn: number; positions: number; types: number; vocab: number };
/** Changes whenever the bytes written change. */
export declare const MINILM_VERSION: number;
/** Writes `dir/<name>/` (default `citebot-bench/minilm-sized`) and returns the folder. */
export function writeMiniLmModel(dir: string, options?: { name?: string; seed?: number }): Promise<string>;
