/**
 * The demo month's tables (scripts/demo/demo-month.ts): weights of channels, countries, intents,
 * root causes, carriers, NPS scores, and the buyers' words. Invented, shaped like a small
 * cross-border fashion and gadgets shop selling from China and Thailand.
 */
import type { RootCause } from '../../models/root-cause-taxonomy.js';

export type Weighted<T> = ReadonlyArray<readonly [T, number]>;
export type Lang = 'en' | 'es' | 'th' | 'id' | 'zh';

export const CHANNELS: Weighted<string> = [
  ['whatsapp', 40],
  ['webchat', 25],
  ['telegram', 15],
  ['tiktok', 15],
  ['botframework', 5],
];

/** Country → its buyers' languages, and the carriers that deliver there. */
export const COUNTRIES: Weighted<{ cc: string; langs: Weighted<Lang>; carriers: Weighted<string> }> = [
  [
    {
      cc: 'US',
      langs: [
        ['en', 9],
        ['es', 1],
      ],
      carriers: [
        ['usps', 5],
        ['fedex', 3],
        ['dhl-express', 2],
        ['yunexpress', 3],
      ],
    },
    22,
  ],
  [
    {
      cc: 'TH',
      langs: [
        ['th', 9],
        ['en', 1],
      ],
      carriers: [
        ['kerry-express', 4],
        ['flash-express', 3],
        ['thailand-post', 2],
        ['jt-express', 3],
      ],
    },
    14,
  ],
  [
    {
      cc: 'ID',
      langs: [
        ['id', 9],
        ['en', 1],
      ],
      carriers: [
        ['jt-express', 5],
        ['pos-indonesia', 2],
        ['ninja-van', 2],
      ],
    },
    12,
  ],
  [
    {
      cc: 'MX',
      langs: [['es', 1]],
      carriers: [
        ['correos-mx', 3],
        ['dhl-express', 2],
        ['fedex', 2],
      ],
    },
    8,
  ],
  [
    {
      cc: 'GB',
      langs: [['en', 1]],
      carriers: [
        ['royal-mail', 5],
        ['evri', 2],
        ['dhl-express', 2],
      ],
    },
    8,
  ],
  [
    {
      cc: 'ES',
      langs: [['es', 1]],
      carriers: [
        ['correos-es', 5],
        ['dhl-express', 2],
      ],
    },
    6,
  ],
  [
    {
      cc: 'SG',
      langs: [
        ['en', 6],
        ['zh', 4],
      ],
      carriers: [
        ['singpost', 4],
        ['ninja-van', 3],
        ['dhl-express', 1],
      ],
    },
    6,
  ],
  [
    {
      cc: 'PH',
      langs: [['en', 1]],
      carriers: [
        ['jt-express', 4],
        ['ninja-van', 3],
      ],
    },
    6,
  ],
  [
    {
      cc: 'HK',
      langs: [
        ['zh', 8],
        ['en', 2],
      ],
      carriers: [
        ['hongkong-post', 3],
        ['sf-express', 5],
      ],
    },
    5,
  ],
  [
    {
      cc: 'TW',
      langs: [['zh', 1]],
      carriers: [
        ['sf-express', 3],
        ['china-post', 2],
      ],
    },
    4,
  ],
  [
    {
      cc: 'MY',
      langs: [
        ['en', 6],
        ['zh', 3],
        ['id', 1],
      ],
      carriers: [
        ['jt-express', 3],
        ['ninja-van', 3],
        ['dhl-ecommerce', 2],
      ],
    },
    5,
  ],
  [
    {
      cc: 'AU',
      langs: [['en', 1]],
      carriers: [
        ['australia-post', 5],
        ['dhl-express', 1],
      ],
    },
    4,
  ],
];

/** Intents of the demo FAQ (plus `unknown`: nothing recognised). */
export const INTENTS: Weighted<string> = [
  ['logistics_tracking', 28],
  ['shipping_time_cost', 12],
  ['customs_tax', 8],
  ['returns_exchange', 9],
  ['refund', 7],
  ['size_fit', 8],
  ['product_info', 9],
  ['payment', 5],
  ['coupon_promotion', 5],
  ['order_change', 5],
  ['complaint', 2],
  ['human_request', 2],
  ['unknown', 5],
];

/** Intents whose conversations are about a parcel (a carrier is known). */
export const PARCEL_INTENTS = new Set(['logistics_tracking', 'customs_tax', 'returns_exchange', 'complaint', 'order_change', 'refund']);
/** Intents whose conversations are about a product (a SKU is known). */
export const PRODUCT_INTENTS = new Set(['size_fit', 'product_info', 'returns_exchange', 'complaint', 'refund']);

/** The SKUs of the demo catalog (scripts/demo/demo-faq.csv), by popularity. */
export const SKUS: Weighted<string> = [
  ['HOODIE-205', 9],
  ['SNKR-220', 8],
  ['DRESS-104', 7],
  ['JEANS-310', 7],
  ['TSHIRT-001', 6],
  ['EARBUD-X2', 6],
  ['WATCH-S3', 5],
  ['BAG-PU330', 4],
  ['PBANK-10K', 4],
  ['RING-S925', 3],
  ['SUNG-077', 3],
  ['SCARF-SLK9', 2],
  ['BOOT-415', 2],
];

/** Root causes per intent: together they cover all 23 of the taxonomy. */
export const CAUSES: Record<string, Weighted<RootCause>> = {
  logistics_tracking: [
    ['order.status', 50],
    ['logistics.slow_transit', 20],
    ['logistics.customs_delay', 12],
    ['logistics.delivery_failed', 7],
    ['logistics.lost_parcel', 6],
    ['logistics.wrong_address', 5],
  ],
  shipping_time_cost: [
    ['pre_sales.shipping_cost', 80],
    ['logistics.slow_transit', 20],
  ],
  customs_tax: [
    ['logistics.customs_delay', 55],
    ['pre_sales.shipping_cost', 45],
  ],
  returns_exchange: [
    ['after_sales.return_request', 60],
    ['product.size_fit', 15],
    ['product.colour_mismatch', 10],
    ['product.quality_defect', 10],
    ['product.not_as_described', 5],
  ],
  refund: [
    ['after_sales.refund_status', 70],
    ['order.cancel', 20],
    ['product.quality_defect', 10],
  ],
  size_fit: [['product.size_fit', 1]],
  product_info: [
    ['pre_sales.product_question', 85],
    ['product.colour_mismatch', 15],
  ],
  payment: [
    ['payment.method', 60],
    ['payment.failed', 40],
  ],
  coupon_promotion: [['after_sales.coupon_promotion', 1]],
  order_change: [
    ['order.change', 55],
    ['order.cancel', 25],
    ['logistics.wrong_address', 20],
  ],
  complaint: [
    ['other.complaint', 45],
    ['product.quality_defect', 20],
    ['product.not_as_described', 20],
    ['logistics.lost_parcel', 15],
  ],
  human_request: [
    ['other.complaint', 30],
    ['account.login', 25],
    ['account.privacy', 15],
    ['other.unknown', 30],
  ],
  unknown: [['other.unknown', 1]],
};

/** The chance a conversation of the intent goes to a human (≈15 % overall). */
export const HANDOFF_RATE: Record<string, number> = {
  logistics_tracking: 0.08,
  shipping_time_cost: 0.06,
  customs_tax: 0.1,
  returns_exchange: 0.22,
  refund: 0.25,
  size_fit: 0.06,
  product_info: 0.05,
  payment: 0.15,
  coupon_promotion: 0.04,
  order_change: 0.2,
  complaint: 0.7,
  human_request: 0.95,
  unknown: 0.3,
};

/** Why, when the intent does not say it (workflows/types.ts HandoffReason). */
export const HANDOFF_REASONS: Weighted<string> = [
  ['low_confidence', 45],
  ['order_value', 35],
  ['seller_takeover', 20],
];

/** NPS scores 0–10: bot-only conversations, and ones an agent handled (more difficult cases). */
export const NPS_BOT = [2, 1, 1, 1, 2, 3, 4, 8, 14, 24, 30];
export const NPS_AGENT = [4, 2, 2, 3, 3, 5, 6, 10, 15, 20, 22];

/** Conversations per hour of the day (the shop's time zone). */
export const HOURS = [1, 1, 1, 1, 1, 2, 3, 5, 7, 8, 9, 9, 8, 8, 8, 8, 7, 7, 8, 9, 9, 7, 4, 2];
/** Per weekday (0 = Sunday): busier on Monday, quiet at the weekend. */
export const WEEKDAY = [0.6, 1.15, 1.1, 1.05, 1.0, 0.95, 0.7];

/** A buyer's first message per intent and language. */
export const FIRST_MESSAGE: Record<string, Partial<Record<Lang, string>> & { en: string }> = {
  logistics_tracking: {
    en: 'Where is my order? It still has not arrived',
    es: '¿Dónde está mi pedido? Todavía no llega',
    th: 'พัสดุของฉันอยู่ที่ไหนคะ ยังไม่ได้รับเลย',
    id: 'Pesanan saya di mana? Belum sampai juga',
    zh: '我的包裹到哪里了？还没收到',
  },
  shipping_time_cost: {
    en: 'How long does shipping take and how much is it?',
    es: '¿Cuánto tarda el envío y cuánto cuesta?',
    th: 'ส่งกี่วันถึงคะ ค่าส่งเท่าไหร่',
    id: 'Berapa lama pengiriman dan berapa ongkirnya?',
    zh: '运费多少？几天能到？',
  },
  customs_tax: {
    en: 'Do I have to pay customs duties? My parcel is held at customs',
    es: '¿Tengo que pagar aduana? Mi paquete está en la aduana',
    th: 'ต้องเสียภาษีศุลกากรไหมคะ พัสดุติดศุลกากร',
    id: 'Apakah saya harus bayar bea cukai? Paket tertahan',
    zh: '要交关税吗？包裹在海关清关',
  },
  returns_exchange: {
    en: 'I want to return the hoodie, it does not fit',
    es: 'Quiero devolver la sudadera, no me queda',
    th: 'อยากคืนเสื้อฮู้ดค่ะ ใส่ไม่ได้',
    id: 'Saya mau retur hoodie, ukurannya tidak pas',
    zh: '我想退货，卫衣不合身',
  },
  refund: {
    en: 'When will I get my refund?',
    es: '¿Cuándo recibo mi reembolso?',
    th: 'จะได้เงินคืนเมื่อไหร่คะ',
    id: 'Kapan refund saya diproses?',
    zh: '退款什么时候到账？',
  },
  size_fit: {
    en: 'What size should I take? I am 170 cm, 65 kg',
    es: '¿Qué talla me recomiendas? Mido 1,70 m',
    th: 'สูง 165 หนัก 55 ใส่ไซส์อะไรดีคะ',
    id: 'Ukuran apa yang cocok untuk tinggi 165 cm?',
    zh: '我身高170，穿什么尺码？',
  },
  product_info: {
    en: 'Is the watch waterproof?',
    es: '¿El reloj es resistente al agua?',
    th: 'นาฬิกากันน้ำไหมคะ',
    id: 'Apakah jam ini tahan air?',
    zh: '这款手表防水吗？',
  },
  payment: {
    en: 'My card was declined, can I pay another way?',
    es: 'Mi tarjeta fue rechazada, ¿puedo pagar de otra forma?',
    th: 'บัตรโดนปฏิเสธ จ่ายทางอื่นได้ไหมคะ',
    id: 'Kartu saya ditolak, bisa bayar pakai cara lain?',
    zh: '信用卡付款失败，可以用别的方式吗？',
  },
  coupon_promotion: {
    en: 'My coupon code does not work',
    es: 'Mi cupón no funciona',
    th: 'โค้ดส่วนลดใช้ไม่ได้ค่ะ',
    id: 'Kode kupon saya tidak bisa dipakai',
    zh: '优惠码用不了',
  },
  order_change: {
    en: 'Can I change the address of my order?',
    es: '¿Puedo cambiar la dirección de mi pedido?',
    th: 'ขอเปลี่ยนที่อยู่จัดส่งได้ไหมคะ',
    id: 'Bisa ganti alamat pesanan saya?',
    zh: '可以修改收货地址吗？',
  },
  complaint: {
    en: 'The bag arrived damaged, this is unacceptable',
    es: 'El bolso llegó dañado, es inaceptable',
    th: 'กระเป๋ามาถึงแล้วเสียหาย แย่มาก',
    id: 'Tasnya datang rusak, sangat mengecewakan',
    zh: '包到的时候坏了，太差了',
  },
  human_request: {
    en: 'I want to talk to a human please',
    es: 'Quiero hablar con una persona',
    th: 'ขอคุยกับพนักงานค่ะ',
    id: 'Saya mau bicara dengan admin',
    zh: '我要找人工客服',
  },
};

/** The bot's first answer (a shortened FAQ answer). */
export const BOT_REPLY: Record<Lang, string> = {
  en: 'Here is what I found for you (demo answer).',
  es: 'Esto es lo que encontré para ti (respuesta de demostración).',
  th: 'นี่คือข้อมูลที่พบค่ะ (คำตอบตัวอย่าง)',
  id: 'Ini yang saya temukan (jawaban demo).',
  zh: '这是为您找到的信息（演示回答）。',
};

/**
 * Questions the demo FAQ does not answer, by topic (most asked first): the missed questions the
 * seller should turn into FAQ entries. Several phrasings and languages per topic.
 */
export const UNMATCHED_TOPICS: ReadonlyArray<{ weight: number; texts: ReadonlyArray<readonly [Lang, string]> }> = [
  {
    weight: 10,
    texts: [
      ['en', 'Can I pick up my order at a 7-Eleven?'],
      ['en', 'is pickup at 7-11 possible'],
      ['th', 'รับของที่เซเว่นได้ไหมคะ'],
      ['id', 'Bisa ambil pesanan di Indomaret?'],
    ],
  },
  {
    weight: 8,
    texts: [
      ['en', 'Do you sell gift cards?'],
      ['en', 'can I buy a gift voucher for my friend'],
      ['es', '¿Venden tarjetas de regalo?'],
      ['zh', '有礼品卡吗？'],
    ],
  },
  {
    weight: 7,
    texts: [
      ['en', 'Do you offer wholesale prices for 50 pieces?'],
      ['en', 'bulk order discount for resellers?'],
      ['id', 'Ada harga grosir untuk 50 pcs?'],
      ['zh', '批发50件有优惠吗？'],
    ],
  },
  {
    weight: 6,
    texts: [
      ['en', 'Can you gift wrap my order?'],
      ['en', 'do you have gift wrapping'],
      ['es', '¿Pueden envolver el pedido para regalo?'],
    ],
  },
  {
    weight: 6,
    texts: [
      ['en', 'When will the hoodie in size M be back in stock?'],
      ['en', 'restock date for size M hoodie?'],
      ['th', 'เสื้อฮู้ดไซส์ M จะมีของอีกเมื่อไหร่คะ'],
    ],
  },
  {
    weight: 5,
    texts: [
      ['en', 'Do you have a physical store in Bangkok?'],
      ['th', 'มีหน้าร้านที่กรุงเทพไหมคะ'],
      ['en', 'where is your shop located, can I visit'],
    ],
  },
  {
    weight: 4,
    texts: [
      ['en', 'Can I pay in installments?'],
      ['es', '¿Puedo pagar a meses sin intereses?'],
      ['id', 'Bisa bayar cicilan?'],
    ],
  },
  {
    weight: 4,
    texts: [
      ['en', 'Is the ring hypoallergenic? I am allergic to nickel'],
      ['zh', '戒指会过敏吗？我对镍过敏'],
    ],
  },
  {
    weight: 3,
    texts: [
      ['en', 'Do you ship to Alaska and Hawaii?'],
      ['en', 'shipping to hawaii possible?'],
    ],
  },
  {
    weight: 3,
    texts: [
      ['en', 'Can I get an invoice with my company tax number?'],
      ['es', '¿Me pueden dar factura con RFC?'],
    ],
  },
  {
    weight: 2,
    texts: [
      ['en', 'Is the power bank allowed on a plane?'],
      ['zh', '充电宝可以带上飞机吗？'],
    ],
  },
  {
    weight: 2,
    texts: [
      ['en', 'Do you have a loyalty program or points?'],
      ['th', 'มีสะสมแต้มไหมคะ'],
    ],
  },
];

/** A handful of tickets the team worked on during the month. */
export const TICKETS: ReadonlyArray<{
  subject: string;
  source: 'carrier_investigation' | 'return_action' | 'refund_action' | 'after_hours' | 'agent';
  priority: 'low' | 'normal' | 'high';
  status: 'solved' | 'closed';
  tags: string[];
  intent: string;
}> = [
  {
    subject: 'Parcel held at customs for 9 days',
    source: 'carrier_investigation',
    priority: 'high',
    status: 'solved',
    tags: ['logistics.customs_delay'],
    intent: 'customs_tax',
  },
  {
    subject: 'Return of HOODIE-205, size too small',
    source: 'return_action',
    priority: 'normal',
    status: 'closed',
    tags: ['product.size_fit'],
    intent: 'returns_exchange',
  },
  {
    subject: 'Refund not received after 14 days',
    source: 'refund_action',
    priority: 'normal',
    status: 'solved',
    tags: ['after_sales.refund_status'],
    intent: 'refund',
  },
  {
    subject: 'Parcel marked delivered but not received',
    source: 'carrier_investigation',
    priority: 'high',
    status: 'closed',
    tags: ['logistics.lost_parcel'],
    intent: 'logistics_tracking',
  },
  {
    subject: 'Question left after hours: bulk order',
    source: 'after_hours',
    priority: 'low',
    status: 'closed',
    tags: ['pre_sales.product_question'],
    intent: 'product_info',
  },
  {
    subject: 'Wrong colour sent (DRESS-104)',
    source: 'agent',
    priority: 'normal',
    status: 'solved',
    tags: ['product.colour_mismatch'],
    intent: 'complaint',
  },
];
