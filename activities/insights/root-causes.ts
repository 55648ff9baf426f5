/**
 * The root-cause tagger (issue 17): a closed conversation's tags from what is known about it — the
 * intents the bot recognised, the tracking facts looked up (customs hold, exception, returned), and
 * keywords of the buyer's messages in their language (plus English, which buyers mix in). Pure: no
 * I/O. Precedence: keyword causes (the most specific) and tracking causes first; the intent's default
 * cause only when neither found one; `other.unknown` when nothing did.
 */
import type { RootCause } from '../../models/root-cause-taxonomy.js';

export interface TagInput {
  intents: Array<string | null | undefined>;
  /** Normalized tracking statuses seen (activities/logistics/tracking-types.ts). */
  trackingStatuses?: string[];
  /** The buyer's messages. */
  texts?: string[];
  language?: string | null;
}

/** Each recognised intent's cause when nothing more specific is known. */
const INTENT_DEFAULT: Record<string, RootCause> = {
  logistics_tracking: 'order.status',
  order_status: 'order.status',
  shipping_time_cost: 'pre_sales.shipping_cost',
  customs_tax: 'pre_sales.shipping_cost',
  product_info: 'pre_sales.product_question',
  size_fit: 'product.size_fit',
  payment: 'payment.method',
  refund: 'after_sales.refund_status',
  returns_exchange: 'after_sales.return_request',
  coupon_promotion: 'after_sales.coupon_promotion',
  order_change: 'order.change',
  complaint: 'other.complaint',
};

/** Tracking facts that are a cause by themselves. */
const TRACKING: Record<string, RootCause> = {
  customs_hold: 'logistics.customs_delay',
  exception: 'logistics.delivery_failed',
  returned: 'logistics.delivery_failed',
};

type Lang = 'en' | 'es' | 'th' | 'zh' | 'id';
/** Keyword patterns per cause and language (case-insensitive; Thai and Chinese match as substrings). */
const KEYWORDS: Partial<Record<RootCause, Partial<Record<Lang, string>>>> = {
  'logistics.customs_delay': {
    en: String.raw`\bcustoms?\b.*\b(stuck|held|hold|delay|waiting)|\b(stuck|held)\b.*\bcustoms`,
    es: String.raw`aduana`,
    th: 'ศุลกากร',
    zh: '海关|清关',
    id: String.raw`bea cukai|\bcukai\b.*(tertahan|lama)|tertahan.*cukai`,
  },
  'logistics.lost_parcel': {
    en: String.raw`\blost\b|never (arrived|received|got)|\bmissing (parcel|package)|(parcel|package) (is )?missing`,
    es: String.raw`perdid[oa]|nunca (lleg|recib)|extraviad`,
    th: 'หาย|ไม่ได้รับของ',
    zh: '丢失|丢了|没收到|没有收到',
    id: String.raw`hilang|tidak pernah (sampai|diterima)`,
  },
  'logistics.slow_transit': {
    en: String.raw`\b(still|hasn'?t|not yet)\b.*\b(arrived|come|here)|\btaking (so|too) long|\bweeks?\b.*\b(no|not|still|waiting)|\bso slow|\btoo slow|\bdelayed`,
    es: String.raw`(todavía|aún) no (lleg|ha llegado)|tarda(ndo)? (mucho|demasiado)|semanas esperando|muy lento|retrasad`,
    th: 'ยังไม่ได้รับ|ยังไม่มา|ช้ามาก|นานมาก|รอนาน',
    zh: '还没到|还没收到|太慢|好慢|等了.*(周|天)|延误',
    id: String.raw`belum (sampai|datang|diterima)|lama sekali|lambat|sudah .*minggu`,
  },
  'logistics.wrong_address': {
    en: String.raw`wrong address|address (is )?(wrong|incorrect)|change (the |my )?(shipping |delivery )?address|typo in (my|the) address`,
    es: String.raw`dirección (equivocada|incorrecta|errónea)|cambiar (la|mi) dirección`,
    th: 'ที่อยู่ผิด|เปลี่ยนที่อยู่',
    zh: '地址错|地址写错|改地址|修改地址',
    id: String.raw`alamat salah|salah alamat|ganti alamat|ubah alamat`,
  },
  'logistics.delivery_failed': {
    en: String.raw`delivery (failed|attempt)|failed delivery|couldn'?t deliver|returned to sender|marked (as )?delivered but`,
    es: String.raw`entrega fallida|no pudieron entregar|devuelto al remitente|marcado como entregado pero`,
    th: 'จัดส่งไม่สำเร็จ|ส่งไม่สำเร็จ|ตีกลับ',
    zh: '派送失败|投递失败|退回|显示已签收但',
    id: String.raw`gagal (kirim|antar|dikirim)|dikembalikan ke pengirim`,
  },
  'product.colour_mismatch': {
    en: String.raw`\b(colou?r)\b.*\b(wrong|different|not the same|doesn'?t match|not match)|\bwrong colou?r`,
    es: String.raw`color (equivocado|diferente|distinto)|otro color|el color no`,
    th: 'สีไม่ตรง|สีผิด|สีไม่เหมือน',
    zh: '颜色不对|颜色不一样|色差|颜色错',
    id: String.raw`warna(nya)? (beda|salah|tidak sesuai)`,
  },
  'product.size_fit': {
    en: String.raw`too (small|big|large|tight|loose)|\bsize\b.*\b(wrong|small|big|fit)|doesn'?t fit`,
    es: String.raw`(muy|demasiado) (pequeñ|grande|apretad|chic)|talla`,
    th: 'เล็กไป|ใหญ่ไป|ไซส์|คับ|หลวม',
    zh: '尺码|太小|太大|偏小|偏大',
    id: String.raw`kekecilan|kebesaran|ukuran`,
  },
  'product.quality_defect': {
    en: String.raw`\bbroken\b|\bdamaged\b|\bdefect|\bripped\b|\btorn\b|stopped working|doesn'?t work|poor quality|bad quality`,
    es: String.raw`rot[oa]|dañad|defect|no funciona|mala calidad|roto`,
    th: 'เสีย|ชำรุด|แตก|ขาด|คุณภาพไม่ดี|ใช้ไม่ได้',
    zh: '坏了|破损|损坏|质量差|质量不好|不能用|瑕疵',
    id: String.raw`rusak|cacat|sobek|pecah|kualitas (buruk|jelek)|tidak berfungsi`,
  },
  'product.not_as_described': {
    en: String.raw`not as (described|pictured|shown)|(looks|is) nothing like|different from the (picture|photo|description)|fake`,
    es: String.raw`no es como (en la|la) (foto|descripción)|diferente (a|de) la (foto|descripción)|falso`,
    th: 'ไม่ตรงปก|ไม่ตรงกับรูป|ไม่เหมือนรูป',
    zh: '与描述不符|和图片不一样|跟图片不一样|货不对板|假货',
    id: String.raw`tidak sesuai (deskripsi|gambar|foto)|beda dengan (gambar|foto)|palsu`,
  },
  'order.cancel': {
    en: String.raw`\bcancel`,
    es: String.raw`cancelar|anular`,
    th: 'ยกเลิก',
    zh: '取消',
    id: String.raw`batal`,
  },
  'payment.failed': {
    en: String.raw`payment (failed|declined|didn'?t go through|error)|card (was )?(declined|rejected)|charged twice|double charged`,
    es: String.raw`pago (fallido|rechazado)|tarjeta rechazada|cobraron dos veces|cobro doble`,
    th: 'จ่ายเงินไม่ผ่าน|ชำระเงินไม่สำเร็จ|ตัดเงินสองครั้ง|บัตรถูกปฏิเสธ',
    zh: '支付失败|付款失败|扣了两次|重复扣款|卡被拒',
    id: String.raw`pembayaran gagal|gagal bayar|kartu ditolak|tertagih dua kali`,
  },
  'account.login': {
    en: String.raw`\blog ?in\b|sign ?in|password|\baccount\b.*\b(locked|access)`,
    es: String.raw`iniciar sesión|contraseña|no puedo entrar`,
    th: 'เข้าสู่ระบบ|รหัสผ่าน|ล็อกอิน',
    zh: '登录|登陆|密码',
    id: String.raw`\blogin\b|masuk akun|kata sandi`,
  },
  'account.privacy': {
    en: String.raw`delete my (data|account)|my personal data|privacy|gdpr|unsubscribe`,
    es: String.raw`borrar mis datos|eliminar mi cuenta|privacidad|datos personales`,
    th: 'ลบข้อมูล|ข้อมูลส่วนตัว|ความเป็นส่วนตัว',
    zh: '删除我的(数据|账户|账号)|隐私|个人信息',
    id: String.raw`hapus (data|akun)|data pribadi|privasi`,
  },
};

const LATIN = new Set<Lang>(['en', 'es', 'id']);
const COMPILED = Object.entries(KEYWORDS).map(([cause, byLang]) => ({
  cause: cause as RootCause,
  byLang: Object.fromEntries(
    Object.entries(byLang).map(([lang, src]) => [lang, new RegExp(src, LATIN.has(lang as Lang) ? 'iu' : 'u')]),
  ) as Partial<Record<Lang, RegExp>>,
}));

const baseLang = (l: string | null | undefined): Lang | null => {
  const b = (l ?? '').toLowerCase().split(/[-_]/)[0];
  return b === 'en' || b === 'es' || b === 'th' || b === 'zh' || b === 'id' ? b : null;
};

/** The causes the buyer's words name (their language and English; every language when unknown). */
export function keywordCauses(texts: string[], language?: string | null): RootCause[] {
  const lang = baseLang(language);
  const langs: Lang[] = lang ? [...new Set<Lang>([lang, 'en'])] : ['en', 'es', 'th', 'zh', 'id'];
  const text = texts.join('\n');
  const out: RootCause[] = [];
  for (const { cause, byLang } of COMPILED) if (langs.some((l) => byLang[l]?.test(text))) out.push(cause);
  return out;
}

/** The root causes of a conversation: sorted, distinct, never empty. */
export function tagConversation(input: TagInput): RootCause[] {
  const tags = new Set<RootCause>(keywordCauses(input.texts ?? [], input.language));
  // A cancel request is not an order change; a lost parcel is not a slow one.
  if (tags.has('logistics.lost_parcel')) tags.delete('logistics.slow_transit');
  for (const s of input.trackingStatuses ?? []) {
    const c = TRACKING[s];
    if (c) tags.add(c);
  }
  // A customs hold explains a "still not here" complaint.
  if (tags.has('logistics.customs_delay')) tags.delete('logistics.slow_transit');
  if (tags.size === 0)
    for (const i of input.intents) {
      const c = i ? INTENT_DEFAULT[i] : undefined;
      if (c) tags.add(c);
    }
  if (tags.size === 0) tags.add('other.unknown');
  return [...tags].sort();
}
