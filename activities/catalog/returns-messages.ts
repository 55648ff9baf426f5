/**
 * Return/exchange answer templates in the 9 buyer languages plus es-419. {placeholders} are filled
 * by activities/commerce/returns/answer.ts. Written to read naturally but NOT reviewed by native
 * speakers yet: have them checked before relying on them in production.
 */
import type { Condition, Exemption, Payer, RefundMethod } from '../commerce/returns/rules.js';

export interface ReturnsCatalog {
  intro: string;
  introNoSource: string;
  changeOfMindYes: string;
  changeOfMindNo: string;
  defect: string;
  shipping: string;
  shippingDefectOnly: string;
  exchangeYes: string;
  exchangeNo: string;
  conditions: string;
  refund: string;
  businessDays: string;
  deadline: string;
  deadlinePassed: string;
  ukVat: string;
  payer: Record<Payer, string>;
  exemption: Record<Exemption, string>;
  condition: Record<Condition, string>;
  refundMethod: Record<RefundMethod, string>;
}

const en: ReturnsCatalog = {
  intro: 'Under our {market} policy (rule {ruleId}, based on {source}):',
  introNoSource: 'Under our {market} policy (rule {ruleId}):',
  changeOfMindYes: 'you can return an item within {window} of delivery if you change your mind.',
  changeOfMindNo: 'returns for a change of mind are not accepted for this item ({exemption}).',
  defect: 'If it is faulty, damaged, wrong or not as described, you can return it within {window} of delivery.',
  shipping: 'Return shipping is {changeOfMind} for a change of mind and {defective} for a faulty or wrong item.',
  shippingDefectOnly: 'Return shipping for a faulty or wrong item is {defective}.',
  exchangeYes: 'We can exchange or replace the item instead of refunding it.',
  exchangeNo: 'We don’t offer exchanges; we refund the item instead.',
  conditions: 'Please send it back {conditions}.',
  refund: 'We refund to {method} within {days} after we receive the return.',
  businessDays: '{n} business days',
  deadline: 'Your order was delivered on {delivered}, so you can ask for a return until {deadline}.',
  deadlinePassed: 'Your order was delivered on {delivered}; the change-of-mind period ended on {deadline}.',
  ukVat:
    'UK prices include VAT, and your refund includes the VAT you paid. For parcels worth £135 or less, the VAT was charged at checkout instead of at import (GOV.UK: “VAT and overseas goods sold directly to customers in the UK”). If you paid import VAT or duty to the carrier for a parcel over £135, you can claim it back from HMRC when you return the goods (GOV.UK: “Refunds and waivers on customs debt”).',
  payer: { buyer: 'paid by you', seller: 'paid by us', platform: 'free for you (covered by the platform)' },
  exemption: {
    personalised: 'personalised or made-to-order items',
    perishable: 'perishable goods',
    sealed_hygiene: 'sealed hygiene items once unsealed',
    sealed_media: 'sealed audio, video or software once unsealed',
    final_sale: 'final-sale items',
    platform_rule: 'the marketplace accepts returns only for faulty, damaged, wrong or not-as-described items',
  },
  condition: {
    unused: 'unused',
    original_packaging: 'in its original packaging',
    tags_attached: 'with the tags attached',
    hygiene_seal_intact: 'with the hygiene seal intact',
    all_accessories: 'with all accessories',
    proof_of_purchase: 'with proof of purchase',
  },
  refundMethod: {
    original_payment: 'your original payment method',
    store_credit: 'store credit',
    bank_transfer: 'your bank account',
    e_wallet: 'your e-wallet',
  },
};

const es: ReturnsCatalog = {
  intro: 'Según nuestra política para {market} (regla {ruleId}, basada en {source}):',
  introNoSource: 'Según nuestra política para {market} (regla {ruleId}):',
  changeOfMindYes: 'puedes devolver un artículo en un plazo de {window} desde la entrega si cambias de opinión.',
  changeOfMindNo: 'este artículo no admite devoluciones por cambio de opinión ({exemption}).',
  defect:
    'Si llega defectuoso, dañado, equivocado o no coincide con la descripción, puedes devolverlo en un plazo de {window} desde la entrega.',
  shipping: 'El envío de la devolución corre {changeOfMind} si cambias de opinión y {defective} si el artículo es defectuoso o equivocado.',
  shippingDefectOnly: 'El envío de la devolución de un artículo defectuoso o equivocado corre {defective}.',
  exchangeYes: 'Podemos cambiar o sustituir el artículo en lugar de reembolsarlo.',
  exchangeNo: 'No hacemos cambios; en su lugar reembolsamos el artículo.',
  conditions: 'Devuélvelo {conditions}.',
  refund: 'Reembolsamos a {method} en un plazo de {days} desde que recibimos la devolución.',
  businessDays: '{n} días hábiles',
  deadline: 'Tu pedido se entregó el {delivered}, así que puedes solicitar la devolución hasta el {deadline}.',
  deadlinePassed: 'Tu pedido se entregó el {delivered}; el plazo para devolverlo por cambio de opinión terminó el {deadline}.',
  ukVat:
    'Los precios en el Reino Unido incluyen el IVA, y tu reembolso incluye el IVA que pagaste. En los paquetes de hasta 135 £, el IVA se cobró al pagar y no en la importación (GOV.UK: «VAT and overseas goods sold directly to customers in the UK»). Si pagaste al transportista IVA de importación o aranceles por un paquete de más de 135 £, puedes reclamarlos a HMRC al devolver el artículo (GOV.UK: «Refunds and waivers on customs debt»).',
  payer: { buyer: 'por tu cuenta', seller: 'por nuestra cuenta', platform: 'a cargo de la plataforma (gratis para ti)' },
  exemption: {
    personalised: 'artículos personalizados o hechos por encargo',
    perishable: 'productos perecederos',
    sealed_hygiene: 'artículos de higiene precintados una vez abiertos',
    sealed_media: 'audio, vídeo o software precintados una vez abiertos',
    final_sale: 'artículos de venta final',
    platform_rule:
      'la plataforma solo acepta devoluciones de artículos defectuosos, dañados, equivocados o que no coinciden con la descripción',
  },
  condition: {
    unused: 'sin usar',
    original_packaging: 'en su embalaje original',
    tags_attached: 'con las etiquetas puestas',
    hygiene_seal_intact: 'con el precinto higiénico intacto',
    all_accessories: 'con todos los accesorios',
    proof_of_purchase: 'con el comprobante de compra',
  },
  refundMethod: {
    original_payment: 'tu método de pago original',
    store_credit: 'saldo de la tienda',
    bank_transfer: 'tu cuenta bancaria',
    e_wallet: 'tu monedero electrónico',
  },
};

const es419: ReturnsCatalog = {
  ...es,
  changeOfMindYes: 'puedes devolver un artículo dentro de los {window} posteriores a la entrega si cambias de opinión.',
  defect:
    'Si llega defectuoso, dañado, equivocado o no coincide con la descripción, puedes devolverlo dentro de los {window} posteriores a la entrega.',
  exchangeNo: 'No hacemos cambios; te reembolsamos el artículo.',
  deadline: 'Tu pedido se entregó el {delivered}, así que puedes pedir la devolución hasta el {deadline}.',
  refund: 'Te reembolsamos a {method} dentro de los {days} posteriores a que recibamos la devolución.',
  exemption: {
    ...es.exemption,
    sealed_media: 'audio, video o software sellados una vez abiertos',
    sealed_hygiene: 'artículos de higiene sellados una vez abiertos',
  },
  refundMethod: { ...es.refundMethod, e_wallet: 'tu billetera electrónica' },
};

const fr: ReturnsCatalog = {
  intro: 'Selon notre politique pour le marché {market} (règle {ruleId}, fondée sur {source}) :',
  introNoSource: 'Selon notre politique pour le marché {market} (règle {ruleId}) :',
  changeOfMindYes: 'vous pouvez retourner un article dans un délai de {window} après la livraison si vous changez d’avis.',
  changeOfMindNo: 'cet article ne peut pas être retourné pour un simple changement d’avis ({exemption}).',
  defect:
    'S’il est défectueux, endommagé, erroné ou non conforme à la description, vous pouvez le retourner dans un délai de {window} après la livraison.',
  shipping: 'Les frais de retour sont {changeOfMind} en cas de changement d’avis et {defective} pour un article défectueux ou erroné.',
  shippingDefectOnly: 'Les frais de retour d’un article défectueux ou erroné sont {defective}.',
  exchangeYes: 'Nous pouvons échanger ou remplacer l’article au lieu de le rembourser.',
  exchangeNo: 'Nous ne faisons pas d’échange ; nous remboursons l’article.',
  conditions: 'Merci de le renvoyer {conditions}.',
  refund: 'Nous remboursons sur {method} dans un délai de {days} après réception du retour.',
  businessDays: '{n} jours ouvrés',
  deadline: 'Votre commande a été livrée le {delivered} : vous pouvez demander un retour jusqu’au {deadline}.',
  deadlinePassed: 'Votre commande a été livrée le {delivered} ; le délai de retour pour changement d’avis a pris fin le {deadline}.',
  ukVat:
    'Les prix au Royaume-Uni incluent la TVA, et votre remboursement comprend la TVA payée. Pour les colis de 135 £ ou moins, la TVA a été prélevée lors du paiement et non à l’importation (GOV.UK : « VAT and overseas goods sold directly to customers in the UK »). Si vous avez payé au transporteur la TVA à l’importation ou des droits de douane pour un colis de plus de 135 £, vous pouvez en demander le remboursement au HMRC en renvoyant l’article (GOV.UK : « Refunds and waivers on customs debt »).',
  payer: { buyer: 'à votre charge', seller: 'à notre charge', platform: 'offerts (pris en charge par la plateforme)' },
  exemption: {
    personalised: 'articles personnalisés ou fabriqués sur mesure',
    perishable: 'denrées périssables',
    sealed_hygiene: 'articles d’hygiène scellés une fois descellés',
    sealed_media: 'audio, vidéo ou logiciels scellés une fois descellés',
    final_sale: 'articles en vente finale',
    platform_rule: 'la plateforme n’accepte les retours que pour les articles défectueux, endommagés, erronés ou non conformes',
  },
  condition: {
    unused: 'non utilisé',
    original_packaging: 'dans son emballage d’origine',
    tags_attached: 'avec les étiquettes',
    hygiene_seal_intact: 'avec le scellé d’hygiène intact',
    all_accessories: 'avec tous les accessoires',
    proof_of_purchase: 'avec la preuve d’achat',
  },
  refundMethod: {
    original_payment: 'votre moyen de paiement d’origine',
    store_credit: 'un avoir en boutique',
    bank_transfer: 'votre compte bancaire',
    e_wallet: 'votre portefeuille électronique',
  },
};

const pt: ReturnsCatalog = {
  intro: 'Pela nossa política para {market} (regra {ruleId}, com base em {source}):',
  introNoSource: 'Pela nossa política para {market} (regra {ruleId}):',
  changeOfMindYes: 'você pode devolver um item em até {window} após a entrega se mudar de ideia.',
  changeOfMindNo: 'este item não pode ser devolvido por arrependimento ({exemption}).',
  defect: 'Se chegar com defeito, danificado, errado ou diferente do anunciado, você pode devolvê-lo em até {window} após a entrega.',
  shipping: 'O frete da devolução é {changeOfMind} em caso de arrependimento e {defective} para item com defeito ou errado.',
  shippingDefectOnly: 'O frete da devolução de um item com defeito ou errado é {defective}.',
  exchangeYes: 'Podemos trocar ou substituir o item em vez de reembolsar.',
  exchangeNo: 'Não fazemos trocas; reembolsamos o item.',
  conditions: 'Devolva o item {conditions}.',
  refund: 'Reembolsamos em {method} em até {days} após recebermos a devolução.',
  businessDays: '{n} dias úteis',
  deadline: 'Seu pedido foi entregue em {delivered}, então você pode pedir a devolução até {deadline}.',
  deadlinePassed: 'Seu pedido foi entregue em {delivered}; o prazo de devolução por arrependimento terminou em {deadline}.',
  ukVat:
    'Os preços no Reino Unido incluem IVA (VAT), e o seu reembolso inclui o IVA pago. Em encomendas de até £135, o IVA foi cobrado na compra, e não na importação (GOV.UK: “VAT and overseas goods sold directly to customers in the UK”). Se você pagou à transportadora IVA de importação ou imposto de importação por uma encomenda acima de £135, pode pedir o reembolso ao HMRC ao devolver o item (GOV.UK: “Refunds and waivers on customs debt”).',
  payer: { buyer: 'por sua conta', seller: 'por nossa conta', platform: 'grátis para você (coberto pela plataforma)' },
  exemption: {
    personalised: 'itens personalizados ou feitos sob encomenda',
    perishable: 'produtos perecíveis',
    sealed_hygiene: 'itens de higiene lacrados depois de abertos',
    sealed_media: 'áudio, vídeo ou software lacrados depois de abertos',
    final_sale: 'itens de venda final',
    platform_rule: 'a plataforma só aceita devoluções de itens com defeito, danificados, errados ou diferentes do anunciado',
  },
  condition: {
    unused: 'sem uso',
    original_packaging: 'na embalagem original',
    tags_attached: 'com as etiquetas',
    hygiene_seal_intact: 'com o lacre de higiene intacto',
    all_accessories: 'com todos os acessórios',
    proof_of_purchase: 'com o comprovante de compra',
  },
  refundMethod: {
    original_payment: 'seu meio de pagamento original',
    store_credit: 'crédito na loja',
    bank_transfer: 'sua conta bancária',
    e_wallet: 'sua carteira digital',
  },
};

const zh: ReturnsCatalog = {
  intro: '根据我们的{market}政策（规则 {ruleId}，依据：{source}）：',
  introNoSource: '根据我们的{market}政策（规则 {ruleId}）：',
  changeOfMindYes: '如您改变主意，可在签收后{window}内申请退货。',
  changeOfMindNo: '此商品不支持无理由退货（{exemption}）。',
  defect: '如商品有质量问题、损坏、发错或与描述不符，可在签收后{window}内退货。',
  shipping: '无理由退货的运费{changeOfMind}；质量问题或发错货的退货运费{defective}。',
  shippingDefectOnly: '质量问题或发错货的退货运费{defective}。',
  exchangeYes: '我们可以为您换货或补发，而不是退款。',
  exchangeNo: '我们不提供换货，会为您办理退款。',
  conditions: '退回的商品须{conditions}。',
  refund: '我们收到退货后{days}内退款至{method}。',
  businessDays: '{n}个工作日',
  deadline: '您的订单于{delivered}签收，可在{deadline}前申请退货。',
  deadlinePassed: '您的订单于{delivered}签收；无理由退货期限已于{deadline}结束。',
  ukVat:
    '英国售价已含增值税（VAT），退款包含您支付的增值税。价值 135 英镑及以下的包裹，增值税已在结账时收取，而非在进口时收取（GOV.UK：“VAT and overseas goods sold directly to customers in the UK”）。如果您就价值超过 135 英镑的包裹向承运商支付了进口增值税或关税，退回商品时可向英国税务海关总署（HMRC）申请退还（GOV.UK：“Refunds and waivers on customs debt”）。',
  payer: { buyer: '由您承担', seller: '由我们承担', platform: '由平台承担（您无需支付）' },
  exemption: {
    personalised: '个性化或定制商品',
    perishable: '易腐商品',
    sealed_hygiene: '已拆封的密封卫生用品',
    sealed_media: '已拆封的密封音像制品或软件',
    final_sale: 'final sale（售出不退）商品',
    platform_rule: '平台仅受理质量问题、损坏、发错或与描述不符的退货',
  },
  condition: {
    unused: '未使用',
    original_packaging: '保留原包装',
    tags_attached: '吊牌完好',
    hygiene_seal_intact: '卫生封条完好',
    all_accessories: '配件齐全',
    proof_of_purchase: '附购买凭证',
  },
  refundMethod: { original_payment: '原支付方式', store_credit: '店铺余额', bank_transfer: '您的银行账户', e_wallet: '您的电子钱包' },
};

const th: ReturnsCatalog = {
  intro: 'ตามนโยบายของเราสำหรับ{market} (กฎ {ruleId} อ้างอิงจาก {source}):',
  introNoSource: 'ตามนโยบายของเราสำหรับ{market} (กฎ {ruleId}):',
  changeOfMindYes: 'หากเปลี่ยนใจ คุณสามารถคืนสินค้าได้ภายใน {window} นับจากวันที่ได้รับสินค้า',
  changeOfMindNo: 'สินค้านี้ไม่สามารถคืนได้ด้วยเหตุผลเปลี่ยนใจ ({exemption})',
  defect: 'หากสินค้าชำรุด เสียหาย ส่งผิด หรือไม่ตรงตามรายละเอียด คุณสามารถคืนได้ภายใน {window} นับจากวันที่ได้รับสินค้า',
  shipping: 'ค่าส่งคืนกรณีเปลี่ยนใจ {changeOfMind} และกรณีสินค้าชำรุดหรือส่งผิด {defective}',
  shippingDefectOnly: 'ค่าส่งคืนกรณีสินค้าชำรุดหรือส่งผิด {defective}',
  exchangeYes: 'เราสามารถเปลี่ยนสินค้าหรือส่งชิ้นใหม่ให้แทนการคืนเงินได้',
  exchangeNo: 'เราไม่มีบริการเปลี่ยนสินค้า แต่จะคืนเงินให้แทน',
  conditions: 'กรุณาส่งคืนสินค้าที่{conditions}',
  refund: 'เราจะคืนเงินไปยัง{method}ภายใน {days} หลังจากได้รับสินค้าคืน',
  businessDays: '{n} วันทำการ',
  deadline: 'คำสั่งซื้อของคุณจัดส่งถึงเมื่อ {delivered} คุณจึงขอคืนสินค้าได้ถึง {deadline}',
  deadlinePassed: 'คำสั่งซื้อของคุณจัดส่งถึงเมื่อ {delivered} ระยะเวลาคืนสินค้ากรณีเปลี่ยนใจสิ้นสุดแล้วเมื่อ {deadline}',
  ukVat:
    'ราคาในสหราชอาณาจักรรวม VAT แล้ว และเงินคืนจะรวม VAT ที่คุณจ่ายไป สำหรับพัสดุมูลค่าไม่เกิน 135 ปอนด์ VAT ถูกเรียกเก็บตอนชำระเงิน ไม่ใช่ตอนนำเข้า (GOV.UK: “VAT and overseas goods sold directly to customers in the UK”) หากคุณจ่าย VAT นำเข้าหรืออากรให้บริษัทขนส่งสำหรับพัสดุมูลค่าเกิน 135 ปอนด์ คุณขอคืนจาก HMRC ได้เมื่อส่งสินค้าคืน (GOV.UK: “Refunds and waivers on customs debt”)',
  payer: { buyer: 'คุณเป็นผู้จ่าย', seller: 'เราเป็นผู้จ่าย', platform: 'ฟรี (แพลตฟอร์มเป็นผู้จ่าย)' },
  exemption: {
    personalised: 'สินค้าที่สั่งทำหรือปรับแต่งเฉพาะบุคคล',
    perishable: 'สินค้าที่เน่าเสียง่าย',
    sealed_hygiene: 'สินค้าสุขอนามัยที่ผนึกไว้เมื่อเปิดแล้ว',
    sealed_media: 'สื่อเสียง วิดีโอ หรือซอฟต์แวร์ที่ผนึกไว้เมื่อเปิดแล้ว',
    final_sale: 'สินค้าลดราคาที่ไม่รับคืน',
    platform_rule: 'แพลตฟอร์มรับคืนเฉพาะสินค้าที่ชำรุด เสียหาย ส่งผิด หรือไม่ตรงตามรายละเอียด',
  },
  condition: {
    unused: 'ยังไม่ได้ใช้งาน',
    original_packaging: 'อยู่ในบรรจุภัณฑ์เดิม',
    tags_attached: 'ป้ายยังติดอยู่',
    hygiene_seal_intact: 'ซีลสุขอนามัยยังไม่ถูกเปิด',
    all_accessories: 'มีอุปกรณ์เสริมครบ',
    proof_of_purchase: 'มีหลักฐานการซื้อ',
  },
  refundMethod: {
    original_payment: 'ช่องทางชำระเงินเดิม',
    store_credit: 'เครดิตร้านค้า',
    bank_transfer: 'บัญชีธนาคารของคุณ',
    e_wallet: 'อีวอลเล็ตของคุณ',
  },
};

const vi: ReturnsCatalog = {
  intro: 'Theo chính sách của chúng tôi tại {market} (quy tắc {ruleId}, dựa trên {source}):',
  introNoSource: 'Theo chính sách của chúng tôi tại {market} (quy tắc {ruleId}):',
  changeOfMindYes: 'bạn có thể trả hàng trong vòng {window} kể từ khi nhận hàng nếu đổi ý.',
  changeOfMindNo: 'sản phẩm này không áp dụng trả hàng vì đổi ý ({exemption}).',
  defect: 'Nếu sản phẩm bị lỗi, hư hỏng, giao sai hoặc không đúng mô tả, bạn có thể trả hàng trong vòng {window} kể từ khi nhận hàng.',
  shipping: 'Phí gửi trả khi đổi ý: {changeOfMind}; khi hàng lỗi hoặc giao sai: {defective}.',
  shippingDefectOnly: 'Phí gửi trả khi hàng lỗi hoặc giao sai: {defective}.',
  exchangeYes: 'Chúng tôi có thể đổi hoặc gửi sản phẩm thay thế thay vì hoàn tiền.',
  exchangeNo: 'Chúng tôi không hỗ trợ đổi hàng; thay vào đó chúng tôi sẽ hoàn tiền.',
  conditions: 'Vui lòng gửi trả sản phẩm {conditions}.',
  refund: 'Chúng tôi hoàn tiền về {method} trong vòng {days} sau khi nhận được hàng trả.',
  businessDays: '{n} ngày làm việc',
  deadline: 'Đơn hàng của bạn được giao ngày {delivered}, nên bạn có thể yêu cầu trả hàng đến hết {deadline}.',
  deadlinePassed: 'Đơn hàng của bạn được giao ngày {delivered}; thời hạn trả hàng vì đổi ý đã kết thúc vào {deadline}.',
  ukVat:
    'Giá tại Vương quốc Anh đã gồm VAT, và khoản hoàn tiền bao gồm cả VAT bạn đã trả. Với bưu kiện trị giá từ 135 bảng Anh trở xuống, VAT được thu khi thanh toán chứ không phải khi nhập khẩu (GOV.UK: “VAT and overseas goods sold directly to customers in the UK”). Nếu bạn đã trả VAT nhập khẩu hoặc thuế quan cho hãng vận chuyển với bưu kiện trên 135 bảng Anh, bạn có thể yêu cầu HMRC hoàn lại khi trả hàng (GOV.UK: “Refunds and waivers on customs debt”).',
  payer: { buyer: 'bạn chi trả', seller: 'chúng tôi chi trả', platform: 'miễn phí cho bạn (sàn chi trả)' },
  exemption: {
    personalised: 'hàng cá nhân hóa hoặc làm theo yêu cầu',
    perishable: 'hàng dễ hư hỏng',
    sealed_hygiene: 'sản phẩm vệ sinh có niêm phong đã bị mở',
    sealed_media: 'băng đĩa hoặc phần mềm có niêm phong đã bị mở',
    final_sale: 'hàng giảm giá không đổi trả',
    platform_rule: 'sàn chỉ nhận trả hàng khi sản phẩm bị lỗi, hư hỏng, giao sai hoặc không đúng mô tả',
  },
  condition: {
    unused: 'chưa qua sử dụng',
    original_packaging: 'còn nguyên bao bì',
    tags_attached: 'còn nguyên nhãn mác',
    hygiene_seal_intact: 'còn nguyên niêm phong vệ sinh',
    all_accessories: 'đủ phụ kiện',
    proof_of_purchase: 'kèm chứng từ mua hàng',
  },
  refundMethod: {
    original_payment: 'phương thức thanh toán ban đầu',
    store_credit: 'số dư cửa hàng',
    bank_transfer: 'tài khoản ngân hàng của bạn',
    e_wallet: 'ví điện tử của bạn',
  },
};

const id: ReturnsCatalog = {
  intro: 'Sesuai kebijakan kami untuk {market} (aturan {ruleId}, berdasarkan {source}):',
  introNoSource: 'Sesuai kebijakan kami untuk {market} (aturan {ruleId}):',
  changeOfMindYes: 'Anda bisa mengembalikan barang dalam {window} sejak diterima jika berubah pikiran.',
  changeOfMindNo: 'barang ini tidak bisa dikembalikan karena berubah pikiran ({exemption}).',
  defect: 'Jika barang rusak, cacat, salah kirim, atau tidak sesuai deskripsi, Anda bisa mengembalikannya dalam {window} sejak diterima.',
  shipping: 'Ongkos kirim pengembalian {changeOfMind} jika berubah pikiran, dan {defective} jika barang rusak atau salah kirim.',
  shippingDefectOnly: 'Ongkos kirim pengembalian untuk barang rusak atau salah kirim {defective}.',
  exchangeYes: 'Kami bisa menukar atau mengganti barang sebagai ganti pengembalian dana.',
  exchangeNo: 'Kami tidak melayani penukaran; kami akan mengembalikan dana Anda.',
  conditions: 'Mohon kembalikan barang dalam keadaan {conditions}.',
  refund: 'Dana dikembalikan ke {method} dalam {days} setelah barang retur kami terima.',
  businessDays: '{n} hari kerja',
  deadline: 'Pesanan Anda diterima pada {delivered}, jadi Anda bisa mengajukan pengembalian sampai {deadline}.',
  deadlinePassed: 'Pesanan Anda diterima pada {delivered}; batas waktu pengembalian karena berubah pikiran sudah berakhir pada {deadline}.',
  ukVat:
    'Harga di Inggris sudah termasuk VAT, dan pengembalian dana Anda termasuk VAT yang sudah dibayar. Untuk paket senilai £135 atau kurang, VAT dipungut saat checkout, bukan saat impor (GOV.UK: “VAT and overseas goods sold directly to customers in the UK”). Jika Anda membayar VAT impor atau bea masuk kepada kurir untuk paket di atas £135, Anda bisa mengklaimnya kembali ke HMRC saat mengembalikan barang (GOV.UK: “Refunds and waivers on customs debt”).',
  payer: { buyer: 'ditanggung Anda', seller: 'ditanggung kami', platform: 'gratis untuk Anda (ditanggung platform)' },
  exemption: {
    personalised: 'barang personalisasi atau pesanan khusus',
    perishable: 'barang yang mudah rusak',
    sealed_hygiene: 'produk higienis bersegel yang sudah dibuka',
    sealed_media: 'audio, video, atau perangkat lunak bersegel yang sudah dibuka',
    final_sale: 'barang final sale',
    platform_rule: 'platform hanya menerima pengembalian untuk barang rusak, cacat, salah kirim, atau tidak sesuai deskripsi',
  },
  condition: {
    unused: 'belum dipakai',
    original_packaging: 'dalam kemasan asli',
    tags_attached: 'label masih terpasang',
    hygiene_seal_intact: 'segel higienis masih utuh',
    all_accessories: 'aksesori lengkap',
    proof_of_purchase: 'disertai bukti pembelian',
  },
  refundMethod: {
    original_payment: 'metode pembayaran awal Anda',
    store_credit: 'saldo toko',
    bank_transfer: 'rekening bank Anda',
    e_wallet: 'dompet digital Anda',
  },
};

const ar: ReturnsCatalog = {
  intro: 'وفقًا لسياستنا في {market} (القاعدة {ruleId}، استنادًا إلى {source}):',
  introNoSource: 'وفقًا لسياستنا في {market} (القاعدة {ruleId}):',
  changeOfMindYes: 'يمكنك إرجاع المنتج خلال {window} من الاستلام إذا غيّرت رأيك.',
  changeOfMindNo: 'لا يمكن إرجاع هذا المنتج لمجرد تغيير الرأي ({exemption}).',
  defect: 'إذا كان المنتج معيبًا أو تالفًا أو خاطئًا أو غير مطابق للوصف، يمكنك إرجاعه خلال {window} من الاستلام.',
  shipping: 'تكلفة شحن الإرجاع {changeOfMind} عند تغيير الرأي، و{defective} إذا كان المنتج معيبًا أو خاطئًا.',
  shippingDefectOnly: 'تكلفة شحن إرجاع المنتج المعيب أو الخاطئ {defective}.',
  exchangeYes: 'يمكننا استبدال المنتج بدلًا من استرداد المبلغ.',
  exchangeNo: 'لا نوفر الاستبدال، بل نرد لك المبلغ.',
  conditions: 'يُرجى إعادة المنتج {conditions}.',
  refund: 'نرد المبلغ إلى {method} خلال {days} من استلامنا للمرتجع.',
  businessDays: '{n} أيام عمل',
  deadline: 'تم تسليم طلبك في {delivered}، لذا يمكنك طلب الإرجاع حتى {deadline}.',
  deadlinePassed: 'تم تسليم طلبك في {delivered}؛ وقد انتهت مهلة الإرجاع بسبب تغيير الرأي في {deadline}.',
  ukVat:
    'الأسعار في المملكة المتحدة تشمل ضريبة القيمة المضافة (VAT)، ويشمل المبلغ المسترد الضريبة التي دفعتها. بالنسبة للطرود التي لا تتجاوز قيمتها 135 جنيهًا إسترلينيًا، حُصّلت الضريبة عند الدفع وليس عند الاستيراد (GOV.UK: “VAT and overseas goods sold directly to customers in the UK”). وإذا دفعت لشركة الشحن ضريبة استيراد أو رسومًا جمركية على طرد تزيد قيمته عن 135 جنيهًا، يمكنك المطالبة باستردادها من HMRC عند إرجاع المنتج (GOV.UK: “Refunds and waivers on customs debt”).',
  payer: { buyer: 'على حسابك', seller: 'على حسابنا', platform: 'مجانية لك (تتحملها المنصة)' },
  exemption: {
    personalised: 'المنتجات المخصصة أو المصنوعة حسب الطلب',
    perishable: 'السلع القابلة للتلف',
    sealed_hygiene: 'منتجات النظافة المختومة بعد فتحها',
    sealed_media: 'الصوتيات أو المرئيات أو البرامج المختومة بعد فتحها',
    final_sale: 'منتجات البيع النهائي',
    platform_rule: 'المنصة لا تقبل الإرجاع إلا للمنتجات المعيبة أو التالفة أو الخاطئة أو غير المطابقة للوصف',
  },
  condition: {
    unused: 'غير مستخدم',
    original_packaging: 'في عبوته الأصلية',
    tags_attached: 'مع بقاء البطاقات',
    hygiene_seal_intact: 'مع سلامة ختم النظافة',
    all_accessories: 'مع جميع الملحقات',
    proof_of_purchase: 'مع إثبات الشراء',
  },
  refundMethod: {
    original_payment: 'وسيلة الدفع الأصلية',
    store_credit: 'رصيد المتجر',
    bank_transfer: 'حسابك المصرفي',
    e_wallet: 'محفظتك الإلكترونية',
  },
};

export const RETURNS_CATALOGS: Record<string, ReturnsCatalog> = { en, zh, es, 'es-419': es419, fr, pt, th, vi, id, ar };
