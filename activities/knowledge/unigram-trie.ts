/**
 * Memory fix for transformers.js's SentencePiece-unigram tokenizer: it keeps every vocabulary piece in
 * a character trie with one `Map` per node, ≈ 115 MB of JS heap for the multilingual model's 250,002
 * pieces. The tokenizer already holds a piece → id `Map`, which answers the trie's only question
 * (which pieces start at this position?) just as well: try each length up to the longest piece.
 *
 * `compactUnigramTrie` swaps the trie of a loaded tokenizer for that lookup (same pieces, yielded in
 * the same order: shortest first, so the tokens are identical) and lets the old one be collected.
 * Tokenizers of another kind, or a transformers.js whose internals differ, are left untouched.
 */
interface UnigramModel {
  trie?: { common_prefix_search?: unknown };
  tokens_to_ids?: unknown;
  vocab?: unknown;
}

class MapPrefixSearch {
  private readonly maxChars: number;
  constructor(private readonly pieces: Map<string, number>) {
    let max = 0;
    for (const p of pieces.keys()) max = Math.max(max, [...p].length);
    this.maxChars = max;
  }

  /** The stored pieces that are a prefix of chars[start …], shortest first (as CharTrie yields them). */
  *common_prefix_search(chars: string[], start = 0): Generator<string> {
    let prefix = '';
    const end = Math.min(chars.length, start + this.maxChars);
    for (let i = start; i < end; i++) {
      prefix += chars[i];
      if (this.pieces.has(prefix)) yield prefix;
    }
  }
}

/** Replaces the unigram model's character trie (if it has one) with a lookup in its piece → id map; returns the tokenizer. */
export function compactUnigramTrie<T>(tokenizer: T): T {
  const model = (tokenizer as { _tokenizer?: { model?: UnigramModel } })?._tokenizer?.model;
  if (!model || !(model.tokens_to_ids instanceof Map) || !Array.isArray(model.vocab)) return tokenizer;
  if (typeof model.trie?.common_prefix_search !== 'function' || model.trie instanceof MapPrefixSearch) return tokenizer;
  model.trie = new MapPrefixSearch(model.tokens_to_ids as Map<string, number>);
  return tokenizer;
}

/** The same for a transformers.js pipeline's tokenizer; returns the pipeline. */
export function withCompactTokenizer<P extends { tokenizer?: unknown }>(pipe: P): P {
  compactUnigramTrie(pipe.tokenizer);
  return pipe;
}
