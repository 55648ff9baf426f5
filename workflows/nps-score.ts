/**
 * Parse a 0–10 NPS answer from free text in the buyer languages: digits (ASCII, full-width,
 * Arabic-Indic, Persian, Thai), number words, keycap emoji (0️⃣ … 🔟). Pure and deterministic.
 * Returns null when the text is not a score (e.g. a new question), so the caller can treat it as
 * a new conversation instead.
 */

const DIGIT_RANGES: Array<[number, number]> = [
  [0x30, 0x39], // 0-9
  [0xff10, 0xff19], // ０-９
  [0x0660, 0x0669], // ٠-٩
  [0x06f0, 0x06f9], // ۰-۹
  [0x0e50, 0x0e59], // ๐-๙
];

function toAsciiDigits(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    const range = DIGIT_RANGES.find(([lo, hi]) => cp >= lo && cp <= hi);
    out += range ? String(cp - range[0]) : ch;
  }
  return out;
}

/** Number words 0..10 per language (index = value). */
const WORDS: Record<string, string[]> = {
  en: ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'],
  es: ['cero', 'uno', 'dos', 'tres', 'cuatro', 'cinco', 'seis', 'siete', 'ocho', 'nueve', 'diez'],
  fr: ['zéro', 'un', 'deux', 'trois', 'quatre', 'cinq', 'six', 'sept', 'huit', 'neuf', 'dix'],
  pt: ['zero', 'um', 'dois', 'três', 'quatro', 'cinco', 'seis', 'sete', 'oito', 'nove', 'dez'],
  vi: ['không', 'một', 'hai', 'ba', 'bốn', 'năm', 'sáu', 'bảy', 'tám', 'chín', 'mười'],
  id: ['nol', 'satu', 'dua', 'tiga', 'empat', 'lima', 'enam', 'tujuh', 'delapan', 'sembilan', 'sepuluh'],
  ar: ['صفر', 'واحد', 'اثنان', 'ثلاثة', 'أربعة', 'خمسة', 'ستة', 'سبعة', 'ثمانية', 'تسعة', 'عشرة'],
  // Scripts without spaces between words are matched as whole messages (see below).
  zh: ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十'],
  th: ['ศูนย์', 'หนึ่ง', 'สอง', 'สาม', 'สี่', 'ห้า', 'หก', 'เจ็ด', 'แปด', 'เก้า', 'สิบ'],
};
const EXTRA_WORDS: Record<string, number> = {
  une: 1,
  uma: 1,
  kosong: 0,
  mot: 1,
  muoi: 10,
  ثنين: 2,
  اثنين: 2,
  ثلاث: 3,
  أربع: 4,
  خمس: 5,
  ست: 6,
  سبع: 7,
  ثمان: 8,
  تسع: 9,
  عشر: 10,
  两: 2,
  〇: 0,
};

/**
 * Malay (issue 18): the words Indonesian does not share ("lapan", "sifar") and its filler ("bagi
 * markah 8"). Behind the workflow's `nps-malay` patch: a running conversation replays as it ran.
 */
const MALAY_WORDS: Record<string, number> = { sifar: 0, lapan: 8 };
const MALAY_FILLER = /\b(bagi|markah|saya|beri)\b/giu;

const KEYCAPS: Record<string, number> = { '🔟': 10 };
for (let d = 0; d <= 9; d++) KEYCAPS[`${d}\uFE0F\u20E3`] = d;

/** Filler around a score that does not make it "not a score" ("9/10", "I'd say 8", "8分", "8 điểm"). */
const FILLER =
  /\b(i|i'd|id|would|say|give|it|a|my|score|rating|is|out|of|maybe|je|donne|dirais|mi|nota|eu|dou|daria|yo|doy|saya|beri|nilai|tôi|cho|điểm|أعطي|التقييم|points?|pts|sur|de|dari|trên|من)\b/giu;

export function parseNpsScore(input: string, opts: { malay?: boolean } = {}): number | null {
  let text = input.trim().toLowerCase();
  if (!text) return null;
  if (opts.malay) {
    text = text.replace(MALAY_FILLER, ' ');
    for (const [w, v] of Object.entries(MALAY_WORDS)) text = text.replace(new RegExp(`(?<!\\p{L})${w}(?!\\p{L})`, 'giu'), ` ${v} `);
  }
  for (const [cap, v] of Object.entries(KEYCAPS)) if (text.replaceAll(/\s/g, '') === cap) return v;
  for (const [cap, v] of Object.entries(KEYCAPS)) text = text.replaceAll(cap, ` ${v} `);
  text = toAsciiDigits(text);
  // "9/10", "9 / 10", "9 of 10", "9 sur 10", "8分", "8 điểm"
  text = text.replace(/(\d{1,2})\s*(\/|out of|of|sur|de|dari|trên|من)\s*10\b/u, '$1');
  text = text.replace(/(\d{1,2})\s*(分|คะแนน|điểm|poin|points?|pts|نقاط|درجات)/u, '$1');
  if (/-\s*\d/.test(text)) return null; // negative numbers are not scores
  const digits = text.match(/\d+/g);
  if (digits) {
    if (digits.length !== 1) return null;
    const rest = text
      .replace(digits[0], ' ')
      .replace(FILLER, ' ')
      .replace(/[\s\p{P}\p{S}]+/gu, '');
    const v = Number(digits[0]);
    return rest.length <= 3 && v >= 0 && v <= 10 ? v : null;
  }
  const bare = text.replace(/[\s\p{P}\p{S}]+/gu, ' ').trim();
  for (const words of Object.values(WORDS)) {
    const idx = words.indexOf(bare);
    if (idx >= 0) return idx;
  }
  if (bare in EXTRA_WORDS) return EXTRA_WORDS[bare]!;
  // A short phrase containing exactly one number word ("I'd give it eight").
  const tokens = bare.replace(FILLER, ' ').split(/\s+/).filter(Boolean);
  if (tokens.length === 1) {
    for (const words of Object.values(WORDS)) {
      const idx = words.indexOf(tokens[0]!);
      if (idx >= 0) return idx;
    }
    if (tokens[0]! in EXTRA_WORDS) return EXTRA_WORDS[tokens[0]!]!;
  }
  return null;
}
