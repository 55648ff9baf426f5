/**
 * Glossary protection, the same for every provider: each occurrence of a term (brand name, SKU,
 * size…) is replaced by a numbered placeholder `⟦n⟧` before the text leaves sora, and the
 * placeholder is replaced after by the term as written (or the term's `target`). Providers with a
 * native "do not translate" markup get the placeholder wrapped in it as well (DeepL `<x>` ignore
 * tags, Google `translate="no"`, Azure `class="notranslate"`); the text around is then XML-escaped
 * for the request and unescaped in the answer. A translation that dropped a placeholder is an error
 * (bad_response), never a silently translated brand.
 */
import { createHash } from 'node:crypto';
import { TranslationError } from './errors.js';
import type { GlossaryTerm, ProviderName, TranslateRequest } from './types.js';

/** How a provider's request carries placeholders: plain text, or markup with a no-translate wrapper. */
export type Markup = { kind: 'text' } | { kind: 'markup'; wrap: (placeholder: string) => string };

/** The request's glossary and doNotTranslate terms, deduplicated (case-insensitive), longest first. */
export function glossaryTerms(req: Pick<TranslateRequest, 'glossary' | 'doNotTranslate'>): GlossaryTerm[] {
  const all: GlossaryTerm[] = [...(req.glossary ?? []), ...(req.doNotTranslate ?? []).map((source) => ({ source }))];
  const seen = new Map<string, GlossaryTerm>();
  for (const t of all) {
    const source = t.source.trim();
    if (!source || seen.has(source.toLowerCase())) continue;
    seen.set(source.toLowerCase(), t.target?.trim() ? { source, target: t.target.trim() } : { source });
  }
  return [...seen.values()].sort((a, b) => b.source.length - a.source.length || a.source.localeCompare(b.source));
}

/** sha256 of the terms (order-independent), '' without terms: part of the cache key. */
export function glossaryHash(terms: GlossaryTerm[]): string {
  if (!terms.length) return '';
  const canon = terms.map((t) => [t.source.toLowerCase(), t.target ?? null]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  return createHash('sha256').update(JSON.stringify(canon)).digest('hex');
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'", '#x27': "'" };

export const placeholder = (n: number) => `⟦${n}⟧`;

export interface Protected {
  /** The texts to send. */
  texts: string[];
  /** The provider's answers → the translations with every term back. */
  restore(out: string[]): string[];
}

/** Protect the terms in `texts` for a provider speaking `markup`. */
export function protect(provider: ProviderName, texts: string[], terms: GlossaryTerm[], markup: Markup): Protected {
  const re = terms.length
    ? new RegExp(String.raw`(?<![\p{L}\p{N}_])(?:${terms.map((t) => escapeRe(t.source)).join('|')})(?![\p{L}\p{N}_])`, 'giu')
    : null;
  const byLower = new Map(terms.map((t) => [t.source.toLowerCase(), t]));
  const esc = markup.kind === 'markup' ? escapeXml : (s: string) => s;
  const slots: string[][] = [];
  const sent = texts.map((text) => {
    const mine: string[] = [];
    slots.push(mine);
    if (!re) return esc(text);
    let out = '';
    let last = 0;
    for (const m of text.matchAll(re)) {
      const term = byLower.get(m[0].toLowerCase());
      out += esc(text.slice(last, m.index));
      const p = placeholder(mine.length);
      mine.push(term?.target ?? m[0]);
      out += markup.kind === 'markup' ? markup.wrap(p) : p;
      last = m.index + m[0].length;
    }
    return out + esc(text.slice(last));
  });
  const back =
    markup.kind === 'markup' ? /(?:<\w+[^>]*>\s*)?⟦\s*(\d+)\s*⟧(?:\s*<\/\w+>)?|&(amp|lt|gt|quot|apos|#39|#x27);/g : /⟦\s*(\d+)\s*⟧/g;
  return {
    texts: sent,
    restore(out) {
      return out.map((t, i) => {
        const mine = slots[i] ?? [];
        const seen = new Set<number>();
        const restored = t.replace(back, (whole, n: string | undefined, entity: unknown) => {
          // (in text mode the third argument is the match offset, not an entity)
          if (markup.kind === 'markup' && typeof entity === 'string') return ENTITIES[entity] ?? whole;
          const k = Number(n);
          if (mine[k] === undefined) return whole;
          seen.add(k);
          return mine[k];
        });
        const lost = mine.filter((_, k) => !seen.has(k));
        if (lost.length)
          throw new TranslationError(provider, 'bad_response', `the translation of text ${i + 1} lost ${lost.length} protected term(s)`);
        return restored;
      });
    },
  };
}
