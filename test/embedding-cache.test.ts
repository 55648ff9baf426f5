/** KB phrasing vectors are cached on disk per model fingerprint; buyer messages never are. */
import { mkdtempSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Embedder } from '../activities/knowledge/embedder.js';
import { loadConfig } from '../infra/config/index.js';
import { MINILM_ID } from '../activities/knowledge/embedding-models.js';
import { readdirSync } from 'node:fs';

describe('embedding cache', () => {
  it('serves known phrasings from disk without loading the model, and embeds only the new ones', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sora-emb-'));
    const first = await new Embedder({ model: MINILM_ID, cacheDir: dir }).embed(
      ['Where is my parcel?', 'Do you ship to Brazil?'],
      'passage',
    );
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    expect(readFileSync(path.join(dir, files[0]!), 'utf8').trim().split('\n')).toHaveLength(2);

    const cold = new Embedder({ model: MINILM_ID, cacheDir: dir });
    const again = await cold.embed(['Do you ship to Brazil?', 'Where is my parcel?'], 'passage');
    expect((cold as unknown as { extractor?: unknown }).extractor).toBeUndefined(); // model never loaded
    expect(Array.from(again[0]!)).toEqual(Array.from(first[1]!));
    expect(Array.from(again[1]!)).toEqual(Array.from(first[0]!));
    expect(cold.dims).toBe(384);

    await cold.embed(['Where is my parcel?', 'Can I pay with PayPal?'], 'passage');
    expect(readFileSync(path.join(dir, files[0]!), 'utf8').trim().split('\n')).toHaveLength(3);
    await cold.embed(['a buyer message is never cached'], 'query');
    expect(readFileSync(path.join(dir, files[0]!), 'utf8').trim().split('\n')).toHaveLength(3);
  });

  it('keeps separate files per model and prefix, skips a torn line, and can be turned off', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sora-emb-'));
    await new Embedder({ model: MINILM_ID, cacheDir: dir }).embed(['hello'], 'passage');
    await new Embedder({ model: MINILM_ID, passagePrefix: 'passage: ', cacheDir: dir }).embed(['hello'], 'passage');
    expect(readdirSync(dir)).toHaveLength(2);
    for (const f of readdirSync(dir)) appendFileSync(path.join(dir, f), '{"k":"torn');
    const v = await new Embedder({ model: MINILM_ID, cacheDir: dir }).embed(['hello', 'world'], 'passage');
    expect(v).toHaveLength(2);
    writeFileSync(path.join(dir, 'marker'), '');
    await new Embedder({ model: MINILM_ID, ...loadConfig({ SORA_EMBED_CACHE: 'off' }).embedding }).embed(['not cached'], 'passage');
    expect(readdirSync(dir)).toHaveLength(3);
  });
});
