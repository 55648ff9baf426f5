/**
 * Test-time pivoting (issue 18 item 5, SORA_UNDERSTAND_PIVOT): a buyer message in another language
 * than the shop's default is also translated into that language by the configured provider
 * (infra/translation) and matched against the FAQ; the better of the two matches is used. The
 * model then compares like with like (the seller's FAQ is mostly written in the default language),
 * which is where a small multilingual encoder loses most (README "Cross-lingual quality").
 *
 * Never blocks a reply: the provider gets `timeoutMs`, and any failure or timeout keeps the
 * original match (logged). Buyer messages are personal data: sent with `cache: false` (never
 * stored in the translation cache), metered per shop like every translation.
 */
import type { Translator } from '../../infra/translation/index.js';

export interface PivotSettings {
  translator: Translator;
  /** At most this long for the provider (SORA_UNDERSTAND_PIVOT_TIMEOUT). */
  timeoutMs: number;
}

export interface ScoredMatch {
  confidence: number;
  similarity: number;
}

/** True when the pivoted match should be used: it clears the gate, and the original does not or is less confident. */
export function preferPivot(
  original: ScoredMatch | null | undefined,
  pivoted: ScoredMatch | null | undefined,
  gate: { threshold: number; minSimilarity: number },
): boolean {
  const clears = (m: ScoredMatch | null | undefined): m is ScoredMatch =>
    !!m && m.confidence >= gate.threshold && m.similarity >= gate.minSimilarity;
  if (!clears(pivoted)) return false;
  return !clears(original) || pivoted.confidence > original.confidence;
}

/** The text in `to`, or null (same language, empty text, provider error or timeout: `onError` says which). */
export async function pivotText(
  p: PivotSettings,
  r: { text: string; from: string; to: string; shopId: string },
  onError: (reason: string) => void,
): Promise<string | null> {
  if (!r.text.trim() || r.from === r.to) return null;
  let timer: NodeJS.Timeout | undefined;
  let done = false; // the first of answer, error and timeout decides; the others say nothing
  const once = (reason: string) => {
    if (!done) onError(reason);
    done = true;
  };
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => {
      once(`timeout after ${p.timeoutMs} ms`);
      resolve(null);
    }, p.timeoutMs);
  });
  // Not aborted on timeout: the provider's own SORA_TRANSLATE_TIMEOUT bounds it; its cost is metered.
  const call = p.translator
    .translate({ texts: [r.text], from: r.from, to: r.to, shopId: r.shopId, cache: false })
    .then((t) => {
      done = true;
      return t.texts[0]?.trim() || null;
    })
    .catch((e: unknown) => {
      once(String(e));
      return null;
    });
  try {
    return await Promise.race([call, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
