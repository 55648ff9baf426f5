/**
 * Telling apart the languages statistical detection confuses on short messages: Portuguese vs
 * Spanish and Indonesian vs Malay. Each side has words (and a few spellings) the other does not
 * use; when the text has none, or as many of each, the priors decide: the buyer's previous
 * language, then the shop's languages (a shop offering only one side), then the buyer's country.
 * Word lists hold lower-case words as buyers type them, accented and not ("não", "nao").
 */

export interface LanguagePriors {
  /** The buyer's language in this conversation so far (null at the first message). */
  previous?: string | null;
  /** The languages the shop offers (shop.languages; empty = every language). */
  shopLanguages?: readonly string[];
  /** The buyer's country (ISO 3166-1 alpha-2): order destination, phone number, channel locale. */
  country?: string | null;
}

export type Pair = readonly [string, string];
export const PAIRS: readonly Pair[] = [
  ['pt', 'es'],
  ['id', 'ms'],
];

export function pairOf(lang: string): Pair | null {
  return PAIRS.find((p) => p.includes(lang)) ?? null;
}

const list = (s: string) => s.split(/\s+/).filter(Boolean);

/** Words only one side of a pair uses (in buyer messages about orders, delivery, returns). */
const DISTINCT: Record<string, Set<string>> = {
  pt: new Set(
    list(`posso podem pode não nao você voce vocês voces vc vcs obrigado obrigada obg encomenda meu minha meus minhas
      cadê cade olá ola quero queria estou tenho tem vou ainda já ja também tambem muito muita até ate só
      produto produtos onde quando quanto quantos chegou chega chegar recebi receber troca trocar tamanho frete rastreio
      rastreamento devolução devolucao devolvo o os um uma do da dos das em com pra pro pacote
      isso esse essa preciso comprei paguei pagamento estorno dinheiro
      boa bom tudo oi gostaria ele ela veio errado errada quebrado defeito cor sim ou`),
  ),
  es: new Set(
    list(`puedo pueden puede usted ustedes gracias mi mis el los las del al un una hola quiero quisiera estoy tengo
      tiene voy todavía aún aun también tambien muy hasta solo sólo producto productos dónde donde cuándo cuando
      cuánto cuanto cuántos llegó llego llega llegar recibí recibi recibido cambio cambiar talla envío paquete
      seguimiento devolución devolucion devuelvo es y pero hay ya esto eso días ahora
      necesito compré compre pagué pague dinero buenas buenos qué gustaría sería
      roto defecto equivocado equivocada sí le lo su sus
      güey guey wey ahorita chido chida neta órale orale padrísimo chamba pinche carnal
      che vos boludo parce parcero bacano chévere chevere tío`),
  ),
  id: new Set(
    list(`bisa bisakah mau kapan uang ongkir gak ga nggak enggak ngga udah kak gan min gimana dong sih aja kok
      banget paket resi kurir kirim dikirim pengiriman ukuran retur dikembalikan pengembalian diskon gratis nomor
      makasih apakah silakan sepatu celana toko tas lacak telepon setelah mobil`),
  ),
  ms: new Set(
    list(`boleh bolehkah nak mahu tak bila wang percuma hantar dihantar penghantaran bungkusan parcel saiz dipulangkan
      pemulangan diskaun nombor adakah sila betul rosak kasut seluar kedai beg semak jejak telefon
      selepas kereta dah ni tu encik cik puan awak korang camne macam poslaju ringgit rm
      kurier posmen sahaja`),
  ),
};

/** Words both sides share: they name the family, not the side. */
const SHARED: Record<string, string[]> = {
  pt: list('pedido pedidos reembolso ajuda devolver para por'),
  id: list(`saya pesanan barang terima kasih berapa lama halo hai sudah belum mana ke kami anda sampai datang
    beli bayar harga alamat baju kenapa mengapa tolong mohon tidak`),
};

/** Spellings that give a side away ("¿", "ñ"; "-ção", "-ción"). */
const SPELLINGS: Record<string, RegExp[]> = {
  pt: [/ção|ções|ão\b|[ãõ]/u, /\b\p{L}*(?:nh|lh)\p{L}*/u],
  es: [/[¿¡ñ]/u, /ción\b|ciones\b/u],
  id: [],
  ms: [],
};

/** Whole-phrase cues (counted twice: a phrase is stronger evidence than a word). */
const PHRASES: Record<string, string[]> = {
  pt: ['devolver o', 'bom dia', 'boa tarde', 'boa noite', 'por favor me', 'meu pedido', 'minha encomenda'],
  es: ['devolver el', 'buenos días', 'buenas tardes', 'mi pedido', 'qué onda', 'que onda'],
  id: ['saya mau', 'terima kasih kak', 'ya kak', 'berapa lama', 'kapan sampai', 'gimana caranya'],
  ms: ['saya nak', 'terima kasih encik', 'bila sampai', 'macam mana', 'bayaran balik', 'pos laju'],
};

/** Countries whose buyers write one side of a pair (as a prior only). */
const COUNTRIES: Record<string, readonly string[]> = {
  pt: ['BR', 'PT', 'AO', 'MZ', 'CV'],
  es: ['ES', 'MX', 'CO', 'AR', 'PE', 'VE', 'CL', 'EC', 'GT', 'CU', 'BO', 'DO', 'HN', 'PY', 'SV', 'NI', 'CR', 'PA', 'UY', 'PR', 'GQ'],
  id: ['ID'],
  ms: ['MY', 'BN', 'SG'],
};

/** A prior weighs less than one distinguishing word, so the text wins unless two priors agree against it. */
const PRIOR_WEIGHT = 0.75;
const WORD_WEIGHT = 1;

/** Lower-case words of a message (letters only). */
export function words(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}]+/u)
    .filter(Boolean);
}

/** Words that show a Latin-script language (or, for `es`/`id`, its pair) in a short message. */
export const FAMILY_HINTS: Record<string, Set<string>> = {
  en: new Set(list('hello hi my order where thanks thank please the is want')),
  fr: new Set(list('bonjour merci commande où colis je veux livraison combien ma mon est')),
  es: new Set([
    ...SHARED.pt!,
    ...list('hola gracias pedido envío envio dónde donde cuánto cuanto quiero mi tarda devolver está'),
    ...list('olá obrigado obrigada meu minha cadê encomenda quero você não posso puedo'),
    ...list('güey guey wey ahorita chido neta órale orale'),
  ]),
  id: new Set([
    ...SHARED.id!,
    ...list('halo kak saya pesanan terima kasih berapa kirim pengiriman bisa mau gak nggak sudah belum barang'),
    ...list('boleh nak tak bila hantar bungkusan encik percuma wang ongkir bisakah bolehkah'),
  ]),
};

function evidence(lang: string, text: string, ws: string[]): number {
  const lower = text.toLowerCase();
  let score = ws.filter((w) => DISTINCT[lang]!.has(w)).length * WORD_WEIGHT;
  for (const re of SPELLINGS[lang]!) if (re.test(lower)) score += WORD_WEIGHT;
  for (const p of PHRASES[lang]!) if (` ${ws.join(' ')} `.includes(` ${p} `)) score += 2 * WORD_WEIGHT;
  return score;
}

function priorScore(lang: string, other: string, p: LanguagePriors): number {
  let s = 0;
  if (p.previous === lang) s += PRIOR_WEIGHT;
  const offered = p.shopLanguages ?? [];
  if (offered.includes(lang) && !offered.includes(other)) s += PRIOR_WEIGHT;
  if (p.country && COUNTRIES[lang]!.includes(p.country.toUpperCase())) s += PRIOR_WEIGHT;
  return s;
}

/** Which side of `pair` the text is in: its words, then the priors, then `guess` (the detector's pick). */
export function resolvePair(pair: Pair, text: string, guess: string, priors: LanguagePriors = {}): string {
  const ws = words(text);
  const [a, b] = pair;
  const sa = evidence(a, text, ws) + priorScore(a, b, priors);
  const sb = evidence(b, text, ws) + priorScore(b, a, priors);
  if (sa > sb) return a;
  if (sb > sa) return b;
  return pair.includes(guess) ? guess : a;
}
