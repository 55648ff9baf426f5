/**
 * The skeleton's FAQ matcher: token overlap between the buyer's text and each entry's question and
 * variants (any language). Issue 4 replaces it with on-device embeddings. CJK and Thai text is
 * split into character bigrams since those scripts have no spaces.
 */
export interface MatchableEntry {
  questionId: string;
  intent: string;
  question: string;
  variants: string[];
}

const STOP = new Set(
  'a an the is are am i my me you your do does did to of for in on at it this that and or can could how what when where which why please hi hello el la los las de del mi es un una que por para le les du des je est mon ma o os as meu minha do da em um uma saya apa di ke yang dan ini itu tôi của là có không bạn'.split(
    ' ',
  ),
);

export function tokens(text: string): string[] {
  const lower = text.toLowerCase().normalize('NFKC');
  const out: string[] = [];
  for (const chunk of lower.split(/[^\p{L}\p{N}]+/u)) {
    if (!chunk) continue;
    if (/[\u4E00-\u9FFF\u0E00-\u0E7F]/u.test(chunk)) {
      const chars = [...chunk];
      if (chars.length === 1) out.push(chunk);
      for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!);
    } else if (!STOP.has(chunk) && chunk.length > 1) {
      out.push(chunk.length > 4 ? chunk.replace(/(es|s)$/u, '') : chunk);
    }
  }
  return out;
}

export interface Match {
  questionId: string;
  intent: string;
  score: number;
}

/** Best entry by the share of the buyer's tokens found in one phrasing; score in [0, 1]. */
export function bestMatch(text: string, entries: MatchableEntry[]): Match | null {
  const query = new Set(tokens(text));
  if (query.size === 0) return null;
  let best: Match | null = null;
  for (const e of entries) {
    for (const phrasing of [e.question, ...e.variants]) {
      const p = new Set(tokens(phrasing));
      let hits = 0;
      for (const t of query) if (p.has(t)) hits++;
      const score = hits / Math.max(query.size, Math.min(p.size, 4));
      if (!best || score > best.score) best = { questionId: e.questionId, intent: e.intent, score };
    }
  }
  return best;
}
