/**
 * The demo shop seeded by `npm start`, so a newcomer can chat at once: a small FAQ (issue 4 brings
 * the 200-entry workbook import) and a few orders, one above the $200 handoff threshold.
 */
import { FaqEntryModel } from '../../models/faq-entry.js';
import { OrderModel } from '../../models/order.js';
import { ShopModel } from '../../models/shop.js';

export const DEMO_SHOP_ID = 'demo';

interface DemoFaq {
  questionId: string;
  intent: string;
  question: string;
  variants: string[];
  answers: Record<string, string>;
}

export const demoFaq: DemoFaq[] = [
  {
    questionId: 'ship-time',
    intent: 'shipping_time',
    question: 'How long does shipping take?',
    variants: [
      'When will my order arrive?',
      'delivery time',
      'how many days to deliver',
      '¿Cuánto tarda el envío?',
      '多久能到货',
      'ส่งกี่วันถึง',
      'berapa lama pengiriman',
      'giao hàng mất bao lâu',
      'combien de temps pour la livraison',
      'quanto tempo demora a entrega',
      'كم يستغرق الشحن',
    ],
    answers: {
      en: 'Orders ship within 2 business days. Delivery takes 5–8 business days to the US and EU, 3–6 days within Southeast Asia, and 10–15 days to Latin America.',
      es: 'Los pedidos se envían en 2 días hábiles. La entrega tarda 5–8 días hábiles a EE. UU. y la UE, 3–6 días en el Sudeste Asiático y 10–15 días a Latinoamérica.',
      zh: '订单会在 2 个工作日内发货。寄往美国和欧盟需 5–8 个工作日，东南亚 3–6 天，拉丁美洲 10–15 天。',
      th: 'จัดส่งภายใน 2 วันทำการ ระยะเวลาจัดส่ง 5–8 วันทำการไปสหรัฐฯ และยุโรป 3–6 วันในเอเชียตะวันออกเฉียงใต้ และ 10–15 วันไปละตินอเมริกา',
      id: 'Pesanan dikirim dalam 2 hari kerja. Pengiriman memakan 5–8 hari kerja ke AS dan Uni Eropa, 3–6 hari di Asia Tenggara, dan 10–15 hari ke Amerika Latin.',
      vi: 'Đơn hàng được gửi trong 2 ngày làm việc. Thời gian giao 5–8 ngày làm việc đến Mỹ và EU, 3–6 ngày trong Đông Nam Á, 10–15 ngày đến Mỹ Latinh.',
    },
  },
  {
    questionId: 'track',
    intent: 'logistics_tracking',
    question: 'Where is my parcel? How do I track my order?',
    variants: [
      'where is my order',
      'tracking number',
      'track my package',
      '¿Dónde está mi pedido?',
      '我的包裹在哪里',
      '物流单号',
      'พัสดุของฉันอยู่ที่ไหน',
      'pesanan saya di mana',
      'đơn hàng của tôi ở đâu',
      'où est mon colis',
      'cadê meu pedido',
      'أين طلبي',
    ],
    answers: {
      en: 'You can follow your parcel with the tracking number in your shipping confirmation email. Tell me your order number and I will check it for you?',
      es: 'Puedes seguir tu paquete con el número de seguimiento del correo de confirmación de envío. ¿Me das tu número de pedido y lo reviso?',
      zh: '您可以用发货确认邮件中的物流单号查询包裹。告诉我您的订单号，我帮您查一下？',
      th: 'คุณติดตามพัสดุได้ด้วยหมายเลขติดตามในอีเมลยืนยันการจัดส่ง บอกหมายเลขคำสั่งซื้อ แล้วฉันจะตรวจสอบให้ไหมคะ?',
      id: 'Anda bisa melacak paket dengan nomor resi di email konfirmasi pengiriman. Boleh sebutkan nomor pesanan Anda agar saya cek?',
    },
  },
  {
    questionId: 'returns',
    intent: 'returns_exchange',
    question: 'How do I return or exchange an item?',
    variants: [
      'return policy',
      'I want to return',
      'exchange size',
      '¿Cómo devuelvo un producto?',
      'devolución',
      '怎么退货',
      '退换货',
      'คืนสินค้า',
      'retur barang',
      'đổi trả hàng',
      'retourner un article',
      'devolver produto',
      'إرجاع المنتج',
    ],
    answers: {
      en: 'You can return or exchange unused items within 30 days of delivery. Start the return from your order page; we email a prepaid label within 24 hours.',
      es: 'Puedes devolver o cambiar artículos sin usar en un plazo de 30 días desde la entrega. Inicia la devolución desde la página de tu pedido; te enviamos una etiqueta prepagada en 24 horas.',
      zh: '未使用的商品可在签收后 30 天内退换。请在订单页面发起退货，我们会在 24 小时内发送预付运单。',
      th: 'คืนหรือเปลี่ยนสินค้าที่ยังไม่ใช้งานได้ภายใน 30 วันหลังได้รับสินค้า เริ่มได้จากหน้าคำสั่งซื้อ เราจะส่งฉลากค่าส่งล่วงหน้าภายใน 24 ชั่วโมง',
      fr: 'Vous pouvez retourner ou échanger un article non utilisé dans les 30 jours suivant la livraison. Lancez le retour depuis la page de votre commande ; nous envoyons une étiquette prépayée sous 24 heures.',
    },
  },
  {
    questionId: 'refund-time',
    intent: 'refund',
    question: 'When will I get my refund?',
    variants: [
      'refund status',
      'money back',
      '¿Cuándo recibo mi reembolso?',
      'reembolso',
      '退款什么时候到',
      'คืนเงิน',
      'pengembalian dana',
      'hoàn tiền',
      'remboursement',
      'reembolso quando',
      'استرداد المبلغ',
    ],
    answers: {
      en: 'Refunds are issued within 3 business days after we receive the return, to your original payment method. Banks may take 5–10 more days to show it.',
      es: 'El reembolso se emite en 3 días hábiles tras recibir la devolución, al método de pago original. El banco puede tardar 5–10 días más en reflejarlo.',
      zh: '收到退货后 3 个工作日内原路退款，银行到账可能还需 5–10 天。',
      th: 'เราคืนเงินภายใน 3 วันทำการหลังได้รับสินค้าคืน ผ่านช่องทางชำระเงินเดิม ธนาคารอาจใช้เวลาอีก 5–10 วัน',
    },
  },
  {
    questionId: 'size',
    intent: 'size_fit',
    question: 'Which size should I choose?',
    variants: [
      'size chart',
      'does it run small',
      'talla',
      '¿Qué talla elijo?',
      '尺码怎么选',
      'ไซส์',
      'ukuran',
      'chọn size',
      'quelle taille',
      'qual tamanho',
      'ما المقاس',
    ],
    answers: {
      en: 'Our clothes follow EU sizing and run true to size. Check the size chart on each product page; if you are between two sizes, pick the larger one.',
      es: 'Nuestra ropa sigue las tallas de la UE y es fiel a la talla. Consulta la guía de tallas de cada producto; si dudas entre dos, elige la mayor.',
      zh: '我们的服装采用欧码，尺码标准。请查看商品页的尺码表；如果介于两个尺码之间，建议选大一码。',
    },
  },
  {
    questionId: 'payment',
    intent: 'payment',
    question: 'Which payment methods do you accept?',
    variants: [
      'can I pay with',
      'payment options',
      'cash on delivery',
      'métodos de pago',
      '支付方式',
      'ชำระเงิน',
      'metode pembayaran',
      'thanh toán',
      'moyens de paiement',
      'formas de pagamento',
      'طرق الدفع',
    ],
    answers: {
      en: 'We accept Visa, Mastercard, PayPal, Apple Pay and, in Southeast Asia, cash on delivery.',
      es: 'Aceptamos Visa, Mastercard, PayPal, Apple Pay y, en el Sudeste Asiático, pago contra entrega.',
      zh: '我们支持 Visa、Mastercard、PayPal、Apple Pay，东南亚地区支持货到付款。',
      th: 'เรารับ Visa, Mastercard, PayPal, Apple Pay และเก็บเงินปลายทางในเอเชียตะวันออกเฉียงใต้',
      id: 'Kami menerima Visa, Mastercard, PayPal, Apple Pay, dan COD di Asia Tenggara.',
      vi: 'Chúng tôi nhận Visa, Mastercard, PayPal, Apple Pay và thanh toán khi nhận hàng ở Đông Nam Á.',
    },
  },
  {
    questionId: 'customs',
    intent: 'customs_tax',
    question: 'Will I pay customs duties or import tax?',
    variants: [
      'customs fee',
      'import duty',
      'VAT',
      'aduana',
      'impuestos de importación',
      '关税',
      'ภาษีนำเข้า',
      'bea cukai',
      'thuế nhập khẩu',
      'droits de douane',
      'taxa alfandegária',
      'الجمارك',
    ],
    answers: {
      en: 'Prices include import VAT for the EU and UK. Elsewhere local customs may charge duties on delivery; Brazil and Mexico usually add 2–3 days for clearance.',
      es: 'Los precios incluyen el IVA de importación para la UE y el Reino Unido. En otros países la aduana puede cobrar aranceles en la entrega; Brasil y México suelen sumar 2–3 días de despacho.',
      zh: '欧盟和英国的价格已含进口增值税。其他地区海关可能在派送时收取关税；巴西和墨西哥清关通常多 2–3 天。',
    },
  },
  {
    questionId: 'cancel',
    intent: 'order_change',
    question: 'Can I change or cancel my order?',
    variants: [
      'cancel order',
      'change address',
      'modify my order',
      'cancelar pedido',
      'cambiar dirección',
      '取消订单',
      '修改地址',
      'ยกเลิกคำสั่งซื้อ',
      'batalkan pesanan',
      'hủy đơn',
      'annuler ma commande',
      'cancelar pedido',
      'إلغاء الطلب',
    ],
    answers: {
      en: 'You can change or cancel an order until it ships (usually within 12 hours). Send me the order number and what to change.',
      es: 'Puedes cambiar o cancelar un pedido hasta que se envíe (normalmente en 12 horas). Envíame el número de pedido y qué quieres cambiar.',
      zh: '订单发货前（通常 12 小时内）可以修改或取消。请把订单号和要修改的内容发给我。',
    },
  },
  {
    questionId: 'coupon',
    intent: 'coupon_promotion',
    question: 'Do you have a discount code or coupon?',
    variants: [
      'promo code',
      'discount',
      'voucher',
      'cupón',
      'descuento',
      '优惠券',
      'คูปอง',
      'kode promo',
      'mã giảm giá',
      'code promo',
      'cupom',
      'كوبون خصم',
    ],
    answers: {
      en: 'New customers get 10% off the first order with code WELCOME10. Follow our shop for flash-sale coupons.',
      es: 'Los clientes nuevos tienen un 10 % de descuento en el primer pedido con el código WELCOME10. Sigue la tienda para cupones de ofertas flash.',
      zh: '新客首单使用优惠码 WELCOME10 可享 9 折。关注店铺可领取限时优惠券。',
    },
  },
  {
    questionId: 'warranty',
    intent: 'product_info',
    question: 'Is there a warranty?',
    variants: ['guarantee', 'product broken', 'garantía', '保修', 'รับประกัน', 'garansi', 'bảo hành', 'garantie', 'garantia', 'الضمان'],
    answers: {
      en: 'Electronics carry a 12-month warranty against manufacturing defects. Send a photo or video of the problem and your order number to start a claim.',
      es: 'La electrónica tiene 12 meses de garantía contra defectos de fabricación. Envía una foto o vídeo del problema y tu número de pedido para iniciar el reclamo de garantía.',
      zh: '电子产品享有 12 个月的制造缺陷保修。请发送问题的照片或视频及订单号以申请保修。',
    },
  },
];

export const demoOrders = [
  { orderNumber: '1001', totalUsd: 39.9, status: 'shipped', country: 'US' },
  { orderNumber: '1002', totalUsd: 349, status: 'paid', country: 'BR' },
  { orderNumber: '1234', totalUsd: 58.5, status: 'shipped', country: 'TH' },
];

/** Idempotent: upserts the demo shop, FAQ and orders. */
export async function seedDemoShop(shopId = DEMO_SHOP_ID): Promise<void> {
  await ShopModel.updateOne(
    { shopId },
    { $setOnInsert: { shopId, name: 'Sora Demo Store', defaultLanguage: 'en', channels: ['webchat'] } },
    { upsert: true },
  );
  for (const f of demoFaq) {
    await FaqEntryModel.updateOne({ shopId, questionId: f.questionId }, { $set: { ...f, shopId } }, { upsert: true });
  }
  for (const o of demoOrders) {
    await OrderModel.updateOne(
      { shopId, orderNumber: o.orderNumber },
      { $setOnInsert: { ...o, shopId, currency: 'USD', placedAt: new Date('2026-11-01T10:00:00Z') } },
      { upsert: true },
    );
  }
}
