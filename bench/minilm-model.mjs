#!/usr/bin/env node
/**
 * Writes a stand-in for Xenova/all-MiniLM-L6-v2 with its exact architecture
 * and shapes (BertModel: 6 layers, hidden 384, 12 heads, FFN 1,536, 512
 * positions, 2 token types, vocabulary 30,522) and deterministic random
 * weights, so the cost of embedding with a real-size model can be measured
 * where the real model can't be downloaded. Byte for byte, no dependencies
 * beyond the protobuf writers of test/fixtures/tiny-model.mjs.
 *
 *   onnx/model.onnx            float32, the graph a BERT export has (LayerNorm and GELU
 *                              written out as the exporter does; onnxruntime fuses them)
 *   onnx/model_quantized.onnx  int8 dynamic quantization as onnxruntime's quantize_dynamic
 *                              writes it (DynamicQuantizeLinear → MatMulInteger → scale),
 *                              the file transformers.js loads by default
 *   tokenizer.json etc.        a WordPiece vocabulary of 30,522 entries, laid out like BERT's
 *                              ([PAD] 0, [unused…], [UNK] 100, [CLS] 101, [SEP] 102, [MASK] 103),
 *                              whose words are GPT-2's BPE tokens in frequency order (from the
 *                              gpt-tokenizer package vectra installs), so English text splits
 *                              into about as many tokens as with the real vocabulary
 *
 * The vectors mean nothing (random weights): this model is for timing only.
 *
 * @example
 * import { writeMiniLmModel } from './minilm-model.mjs';
 * const folder = await writeMiniLmModel(modelsDir); // modelsDir/citebot-bench/minilm-sized/
 *
 * // or from a shell:  node bench/minilm-model.mjs OUTDIR
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../test/helpers/random.mjs';
import { bytes, int, message, tokenizerJson, valueInfo } from '../test/fixtures/tiny-model.mjs';

export const MINILM_SHAPE = { layers: 6, hidden: 384, heads: 12, ffn: 1536, positions: 512, types: 2, vocab: 30522 };
/** Bump when the bytes written change, so a cached copy is rewritten. */
export const MINILM_VERSION = 1;

const FLOAT = 1;
const UINT8 = 2;
const INT8 = 3;
const INT64 = 7;

// --- graph building -------------------------------------------------------------

/** Collects nodes and initializers; names are unique by construction. */
class Graph {
  nodes = [];
  initializers = [];
  count = 0;

  /** A node; returns its output name (or names, when `outputs` > 1). */
  op(type, inputs, attributes = [], outputs = 1) {
    const id = `${type}_${this.count++}`;
    const names = Array.from({ length: outputs }, (_, i) => (outputs === 1 ? id : `${id}_${i}`));
    this.nodes.push(
      message(1, ...inputs.map((i) => bytes(1, i)), ...names.map((o) => bytes(2, o)), bytes(3, id), bytes(4, type), ...attributes),
    );
    return outputs === 1 ? names[0] : names;
  }

  /** A tensor initializer from a typed array (little-endian machine assumed, as onnxruntime-node's builds are). */
  tensor(name, dataType, dims, array) {
    const raw = Buffer.from(array.buffer, array.byteOffset, array.byteLength);
    this.initializers.push(message(5, ...dims.map((d) => int(1, d)), int(2, dataType), bytes(8, name), bytes(9, raw)));
    return name;
  }

  floats(name, dims, array) {
    return this.tensor(name, FLOAT, dims, array);
  }

  int64s(name, values) {
    return this.tensor(name, INT64, [values.length], BigInt64Array.from(values.map(BigInt)));
  }

  scalar(name, value) {
    return this.floats(name, [], Float32Array.of(value));
  }
}

const attrInt = (name, value) => message(5, bytes(1, name), int(3, value), int(20, 2));
const attrInts = (name, values) => message(5, bytes(1, name), ...values.map((v) => int(8, v)), int(20, 7));

/** Weights as BERT initialises them: std 0.02 (uniform, so no transcendental calls per value). */
function weights(next, length) {
  const a = 0.02 * Math.sqrt(3);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = (next() * 2 - 1) * a;
  return out;
}

/** Symmetric per-tensor int8, as quantize_dynamic's QInt8 weights. */
function quantize(values) {
  let max = 0;
  for (const v of values) max = Math.max(max, Math.abs(v));
  const scale = max / 127 || 1;
  return { q: Int8Array.from(values, (v) => Math.max(-127, Math.min(127, Math.round(v / scale)))), scale };
}

/** x·W + b, float32 or dynamically quantized. */
function linear(g, x, name, w, b, inputs, outputs, quantized) {
  const bias = g.floats(`${name}.bias`, [outputs], b);
  if (!quantized) return g.op('Add', [g.op('MatMul', [x, g.floats(`${name}.weight`, [inputs, outputs], w)]), bias]);
  const { q, scale } = quantize(w);
  const wq = g.tensor(`${name}.weight_quantized`, INT8, [inputs, outputs], q);
  const wzp = g.tensor(`${name}.weight_zero_point`, INT8, [], Int8Array.of(0));
  const ws = g.scalar(`${name}.weight_scale`, scale);
  const [xq, xs, xzp] = g.op('DynamicQuantizeLinear', [x], [], 3);
  const product = g.op('MatMulInteger', [xq, wq, xzp, wzp]);
  const scaled = g.op('Mul', [g.op('Cast', [product], [attrInt('to', FLOAT)]), g.op('Mul', [xs, ws])]);
  return g.op('Add', [scaled, bias]);
}

/** LayerNorm over the last axis (2), written out as an opset-13 export does. */
function layerNorm(g, x, name, hidden, consts) {
  const mean = g.op('ReduceMean', [x], [attrInts('axes', [2]), attrInt('keepdims', 1)]);
  const centred = g.op('Sub', [x, mean]);
  const variance = g.op('ReduceMean', [g.op('Pow', [centred, consts.two])], [attrInts('axes', [2]), attrInt('keepdims', 1)]);
  const normed = g.op('Div', [centred, g.op('Sqrt', [g.op('Add', [variance, consts.eps])])]);
  const gamma = g.floats(`${name}.weight`, [hidden], new Float32Array(hidden).fill(1));
  const beta = g.floats(`${name}.bias`, [hidden], new Float32Array(hidden));
  return g.op('Add', [g.op('Mul', [normed, gamma]), beta]);
}

function encoderLayer(g, x, mask, l, next, shape, consts, quantized) {
  const { hidden, heads, ffn } = shape;
  const p = `encoder.layer.${l}`;
  const lin = (input, name, inputs, outputs) =>
    linear(g, input, `${p}.${name}`, weights(next, inputs * outputs), new Float32Array(outputs), inputs, outputs, quantized);
  const split = (t, perm) => g.op('Transpose', [g.op('Reshape', [t, consts.headsShape])], [attrInts('perm', perm)]);
  const q = split(lin(x, 'attention.self.query', hidden, hidden), [0, 2, 1, 3]);
  const k = split(lin(x, 'attention.self.key', hidden, hidden), [0, 2, 3, 1]);
  const v = split(lin(x, 'attention.self.value', hidden, hidden), [0, 2, 1, 3]);
  const scores = g.op('Add', [g.op('Div', [g.op('MatMul', [q, k]), consts.sqrtHeadDim]), mask]);
  const probs = g.op('Softmax', [scores], [attrInt('axis', 3)]);
  const context = g.op('Reshape', [g.op('Transpose', [g.op('MatMul', [probs, v])], [attrInts('perm', [0, 2, 1, 3])]), consts.hiddenShape]);
  const attended = lin(context, 'attention.output.dense', hidden, hidden);
  const x1 = layerNorm(g, g.op('Add', [attended, x]), `${p}.attention.output.LayerNorm`, hidden, consts);
  const h = lin(x1, 'intermediate.dense', hidden, ffn);
  // GELU, exact: x · ½ · (1 + erf(x / √2)).
  const gelu = g.op('Mul', [g.op('Mul', [h, g.op('Add', [g.op('Erf', [g.op('Div', [h, consts.sqrt2])]), consts.one])]), consts.half]);
  const out = lin(gelu, 'output.dense', ffn, hidden);
  void heads;
  return layerNorm(g, g.op('Add', [out, x1]), `${p}.output.LayerNorm`, hidden, consts);
}

/** The whole BertModel graph; same weights (same seed) in both forms. */
function bertModel(shape, seed, quantized) {
  const { layers, hidden, heads, positions, types, vocab } = shape;
  const next = seededRandom(seed);
  const g = new Graph();
  const consts = {
    one: g.scalar('one', 1),
    half: g.scalar('half', 0.5),
    two: g.scalar('two', 2),
    eps: g.scalar('layer_norm_eps', 1e-12),
    sqrt2: g.scalar('sqrt2', Math.SQRT2),
    sqrtHeadDim: g.scalar('sqrt_head_dim', Math.sqrt(hidden / heads)),
    maskFill: g.scalar('mask_fill', -10000),
    headsShape: g.int64s('heads_shape', [0, 0, heads, hidden / heads]),
    hiddenShape: g.int64s('hidden_shape', [0, 0, hidden]),
  };
  const wordTable = weights(next, vocab * hidden);
  let words;
  if (quantized) {
    // As quantize_dynamic does for Gather: look up int8 rows, then dequantize them.
    const { q, scale } = quantize(wordTable);
    const table = g.tensor('embeddings.word_embeddings.weight_quantized', INT8, [vocab, hidden], q);
    const zero = g.tensor('embeddings.word_embeddings.weight_zero_point', INT8, [], Int8Array.of(0));
    words = g.op('DequantizeLinear', [g.op('Gather', [table, 'input_ids']), g.scalar('embeddings.word_embeddings.weight_scale', scale), zero]);
  } else {
    words = g.op('Gather', [g.floats('embeddings.word_embeddings.weight', [vocab, hidden], wordTable), 'input_ids']);
  }
  const seqLen = g.op('Gather', [g.op('Shape', ['input_ids']), g.tensor('one_index', INT64, [], BigInt64Array.of(1n))]);
  const zero = g.tensor('zero_index', INT64, [], BigInt64Array.of(0n));
  const positionIds = g.op('Range', [zero, seqLen, g.tensor('step', INT64, [], BigInt64Array.of(1n))]);
  const position = g.op('Gather', [g.floats('embeddings.position_embeddings.weight', [positions, hidden], weights(next, positions * hidden)), positionIds]);
  const tokenType = g.op('Gather', [g.floats('embeddings.token_type_embeddings.weight', [types, hidden], weights(next, types * hidden)), 'token_type_ids']);
  let x = layerNorm(g, g.op('Add', [g.op('Add', [words, position]), tokenType]), 'embeddings.LayerNorm', hidden, consts);
  // [batch, seq] → [batch, 1, 1, seq] of 0 (attend) or −10000 (padding).
  const mask4 = g.op('Cast', [g.op('Unsqueeze', ['attention_mask', g.int64s('mask_axes', [1, 2])])], [attrInt('to', FLOAT)]);
  const mask = g.op('Mul', [g.op('Sub', [consts.one, mask4]), consts.maskFill]);
  for (let l = 0; l < layers; l++) x = encoderLayer(g, x, mask, l, next, shape, consts, quantized);
  g.nodes.push(message(1, bytes(1, x), bytes(2, 'last_hidden_state'), bytes(3, 'output'), bytes(4, 'Identity')));
  const graph = message(
    7,
    ...g.nodes,
    bytes(2, 'minilm-sized'),
    ...g.initializers,
    valueInfo(11, 'input_ids', INT64, ['batch', 'sequence']),
    valueInfo(11, 'attention_mask', INT64, ['batch', 'sequence']),
    valueInfo(11, 'token_type_ids', INT64, ['batch', 'sequence']),
    valueInfo(12, 'last_hidden_state', FLOAT, ['batch', 'sequence', hidden]),
  );
  // IR 8, opset 13: what onnxruntime-node 1.14 and transformers.js 2.17 read.
  return Buffer.concat([int(1, 8), bytes(2, 'citebot-minilm-sized'), graph, message(8, bytes(1, ''), int(2, 13))]);
}

// --- vocabulary -------------------------------------------------------------------

/**
 * BERT's layout of the first ids, then characters, then GPT-2's BPE tokens in
 * rank order: those after a space become words, the others `##` pieces.
 */
async function vocabulary(size) {
  const tokens = ['[PAD]', ...Array.from({ length: 99 }, (_, i) => `[unused${i}]`), '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
  const seen = new Set(tokens);
  const add = (token) => {
    if (tokens.length < size && !seen.has(token)) {
      seen.add(token);
      tokens.push(token);
    }
  };
  const chars = [...'!"#$%&\'()*+,-./0123456789:;<=>?@[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~–—‘’“”…'];
  for (const c of chars) add(c);
  for (const c of chars) add(`##${c}`);
  const require = createRequire(import.meta.url);
  const ranks = path.join(path.dirname(require.resolve('gpt-tokenizer/package.json')), 'data', 'r50k_base.tiktoken');
  for (const line of (await readFile(ranks, 'utf8')).split('\n')) {
    const token = Buffer.from(line.split(' ')[0] ?? '', 'base64').toString('latin1');
    const word = token.startsWith(' ') ? token.slice(1) : null;
    const text = (word ?? token).toLowerCase();
    if (!/^[a-z0-9]+$/.test(text)) continue;
    add(word === null ? `##${text}` : text);
  }
  for (let i = 99; tokens.length < size; i++) add(`[unused${i}]`);
  return tokens;
}

/**
 * Writes `dir/<name>/` (config.json, tokenizer files, onnx/model.onnx and
 * onnx/model_quantized.onnx) and returns the folder. Same bytes on every run.
 */
export async function writeMiniLmModel(dir, { name = 'citebot-bench/minilm-sized', seed = 7 } = {}) {
  const shape = MINILM_SHAPE;
  const folder = path.join(dir, ...name.split('/'));
  await mkdir(path.join(folder, 'onnx'), { recursive: true });
  const vocab = await vocabulary(shape.vocab);
  const json = (value) => JSON.stringify(value, null, 1);
  const config = {
    model_type: 'bert', architectures: ['BertModel'], hidden_size: shape.hidden, num_hidden_layers: shape.layers,
    num_attention_heads: shape.heads, intermediate_size: shape.ffn, max_position_embeddings: shape.positions,
    type_vocab_size: shape.types, vocab_size: shape.vocab, hidden_act: 'gelu', layer_norm_eps: 1e-12,
  };
  const tokenizerConfig = {
    tokenizer_class: 'BertTokenizer', do_lower_case: true, model_max_length: 512,
    pad_token: '[PAD]', unk_token: '[UNK]', cls_token: '[CLS]', sep_token: '[SEP]', mask_token: '[MASK]',
    clean_up_tokenization_spaces: true, strip_accents: null, tokenize_chinese_chars: true,
  };
  await writeFile(path.join(folder, 'config.json'), json(config));
  await writeFile(path.join(folder, 'tokenizer.json'), json(tokenizerJson(vocab)));
  await writeFile(path.join(folder, 'tokenizer_config.json'), json(tokenizerConfig));
  await writeFile(path.join(folder, 'onnx', 'model.onnx'), bertModel(shape, seed, false));
  await writeFile(path.join(folder, 'onnx', 'model_quantized.onnx'), bertModel(shape, seed, true));
  return folder;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outDir = process.argv[2];
  if (!outDir) {
    console.error('Usage: node bench/minilm-model.mjs OUTDIR');
    process.exitCode = 2;
  } else {
    console.log(await writeMiniLmModel(path.resolve(outDir)));
  }
}
