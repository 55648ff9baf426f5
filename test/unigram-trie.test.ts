/**
 * The multilingual tokenizer without transformers.js's per-character trie of Maps (≈ 115 MB of heap
 * for 250,002 pieces): the same token ids on every dev, KB and reference text, and it is what the
 * embedder uses.
 */
import { readFileSync } from 'node:fs';
import { AutoTokenizer, env as hfEnv } from '@huggingface/transformers';
import { describe, expect, it } from 'vitest';
import { Embedder } from '../activities/knowledge/embedder.js';
import { E5_ID, MINILM_ID } from '../activities/knowledge/embedding-models.js';
import { compactUnigramTrie } from '../activities/knowledge/unigram-trie.js';
import { readLabeled } from '../scripts/eval/labeled-csv.js';
import { modelsDir } from '../infra/paths.js';

type Tok = Awaited<ReturnType<typeof AutoTokenizer.from_pretrained>>;
const trieOf = (t: unknown) => (t as { _tokenizer: { model: { trie?: object } } })._tokenizer.model.trie;

async function load(id: string): Promise<Tok> {
  hfEnv.localModelPath = `${modelsDir}/`;
  hfEnv.allowRemoteModels = false;
  return AutoTokenizer.from_pretrained(id);
}

describe('compact unigram lookup', () => {
  it('tokenizes exactly like the trie (dev set, English KB, reference texts, odd input)', async () => {
    const original = await load(E5_ID);
    const compact = compactUnigramTrie(await load(E5_ID));
    expect(trieOf(compact)?.constructor.name).toBe('MapPrefixSearch');
    expect(trieOf(original)?.constructor.name).not.toBe('MapPrefixSearch');
    const ref = JSON.parse(readFileSync(new URL('./fixtures/e5-reference.json', import.meta.url), 'utf8')) as { cases: { text: string }[] };
    const texts = [
      ...readLabeled(new URL('../bench/crosslingual/dev.csv', import.meta.url).pathname).map((r) => r.text),
      ...readLabeled(new URL('../bench/crosslingual/kb-en.csv', import.meta.url).pathname).map((r) => r.text),
      ...ref.cases.map((c) => c.text),
      '🤷‍♀️ ｆｕｌｌ　ｗｉｄｔｈ <mask> ﷺ  double  spaces',
      'x'.repeat(300),
      '',
    ];
    expect(texts.length).toBeGreaterThan(600);
    for (const t of texts) expect(compact.encode(`query: ${t}`), t).toEqual(original.encode(`query: ${t}`));
  });

  it('is what the embedder uses; other tokenizers are left alone', async () => {
    // In the calling thread, to look inside; the worker thread loads the model with the same function (embedding-pipeline.ts).
    const e = new Embedder({ model: E5_ID, cacheDir: false, thread: false });
    await e.embed(['warm up']);
    const backend = await (e as unknown as { extractor: Promise<{ pass: { pipeline: { tokenizer: unknown } } }> }).extractor;
    expect(trieOf(backend.pass.pipeline.tokenizer)?.constructor.name).toBe('MapPrefixSearch');
    const wordPiece = await load(MINILM_ID);
    expect(compactUnigramTrie(wordPiece)).toBe(wordPiece);
    expect(trieOf(wordPiece)).toBeUndefined();
    expect(compactUnigramTrie(undefined)).toBeUndefined();
  });
});
