/**
 * On-disk cache of KB phrasing vectors, one append-only file per model fingerprint under the
 * embedder's cache folder (SORA_EMBED_CACHE, default SORA_HOME/cache/embeddings; `off` disables). Re-importing a workbook
 * whose phrasings did not change, or importing the demo FAQ again, costs no model time.
 * Only KB phrasings (`passage` embeddings) are cached, never buyer messages.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const key = (text: string) => createHash('sha256').update(text).digest('base64url').slice(0, 32);

export class EmbeddingCache {
  private entries: Map<string, Float32Array> | undefined;
  private readonly file: string;

  constructor(
    fingerprint: string,
    readonly dir: string,
  ) {
    this.file = path.join(dir, `${createHash('sha256').update(fingerprint).digest('hex').slice(0, 16)}.jsonl`);
  }

  private load(): Map<string, Float32Array> {
    if (this.entries) return this.entries;
    this.entries = new Map();
    if (!existsSync(this.file)) return this.entries;
    for (const line of readFileSync(this.file, 'utf8').split('\n')) {
      if (!line) continue;
      try {
        const { k, v } = JSON.parse(line) as { k: string; v: string };
        const buf = Buffer.from(v, 'base64');
        this.entries.set(k, new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)));
      } catch {
        // A torn last line (crash mid-write) is skipped; the text is simply embedded again.
      }
    }
    return this.entries;
  }

  get(text: string): Float32Array | undefined {
    return this.load().get(key(text));
  }

  put(text: string, v: Float32Array): void {
    const k = key(text);
    if (this.load().has(k)) return;
    this.entries!.set(k, v);
    mkdirSync(this.dir, { recursive: true });
    // One write per line with O_APPEND: concurrent processes do not interleave lines.
    appendFileSync(this.file, `${JSON.stringify({ k, v: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') })}\n`);
  }
}
