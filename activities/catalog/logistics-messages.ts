/**
 * Parcel tracking and customs reply templates in the 9 buyer languages plus es-419. {placeholders}
 * are filled by activities/logistics/tracking-replies.ts. Written to read naturally but NOT
 * reviewed by native speakers yet.
 */
import type { TrackingStatus } from '../logistics/tracking-types.js';

export interface LogisticsCatalog {
  customsHold: string;
  customsTypical: string;
  customsOverdue: string;
  customsDuties: string;
  customsDutiesAmount: string;
  customsNext: string;
  customsCleared: string;
  tracking: string;
  trackingNoDescription: string;
  unknownPlace: string;
  /** Added when the carrier's own API could not be used (its key expired) and 17TRACK answered. */
  viaAggregator: string;
  status: Record<TrackingStatus, string>;
}

const en: LogisticsCatalog = {
  customsHold: 'Your parcel has been held for customs clearance in {place} since {since}.',
  customsTypical: 'Customs clearance in {country} usually takes about {delay}, so we expect it to be released around {expected}.',
  customsOverdue: 'That is longer than the usual {delay} for {country}; we are following up with the carrier and will let you know.',
  customsDuties:
    'This is a DDU shipment: import duties and taxes are payable by you before release, and the carrier will contact you to pay them.',
  customsDutiesAmount:
    'This is a DDU shipment: import duties and taxes of {amount} are payable by you before release, and the carrier will contact you to pay them.',
  customsNext: 'Once customs releases it, the carrier continues the delivery; you can keep following it with your tracking number.',
  customsCleared: 'Good news: your parcel cleared customs in {place} on {since} and is on its way to you.',
  tracking: 'Latest update on your parcel: {status} — {description} ({place}, {time}).',
  trackingNoDescription: 'Latest update on your parcel: {status} ({place}, {time}).',
  unknownPlace: 'location not given',
  viaAggregator:
    'This update comes from 17TRACK, a parcel-tracking service, because our direct connection to {carrier} is temporarily unavailable.',
  status: {
    info_received: 'the carrier has received the shipping details',
    in_transit: 'in transit',
    customs_hold: 'held at customs',
    customs_cleared: 'cleared customs',
    out_for_delivery: 'out for delivery',
    delivered: 'delivered',
    exception: 'delivery problem',
    returned: 'returned to sender',
  },
};

const es: LogisticsCatalog = {
  customsHold: 'Tu paquete está retenido en aduanas para su despacho en {place} desde el {since}.',
  customsTypical:
    'El despacho de aduanas en {country} suele tardar alrededor de {delay}, así que esperamos que lo liberen hacia el {expected}.',
  customsOverdue:
    'Está tardando más de lo habitual en {country} (alrededor de {delay}); estamos consultando con la empresa de transporte y te avisaremos.',
  customsDuties:
    'Es un envío DDU: los aranceles e impuestos de importación corren por tu cuenta antes de la liberación, y la empresa de transporte te contactará para pagarlos.',
  customsDutiesAmount:
    'Es un envío DDU: los aranceles e impuestos de importación, de {amount}, corren por tu cuenta antes de la liberación, y la empresa de transporte te contactará para pagarlos.',
  customsNext:
    'Cuando aduanas lo libere, la empresa de transporte continuará con la entrega; puedes seguirlo con tu número de seguimiento.',
  customsCleared: 'Buenas noticias: tu paquete pasó la aduana en {place} el {since} y ya va de camino.',
  tracking: 'Última actualización de tu paquete: {status} — {description} ({place}, {time}).',
  trackingNoDescription: 'Última actualización de tu paquete: {status} ({place}, {time}).',
  unknownPlace: 'lugar no indicado',
  viaAggregator:
    'Esta actualización proviene de 17TRACK, un servicio de seguimiento de paquetes, porque nuestra conexión directa con {carrier} no está disponible en este momento.',
  status: {
    info_received: 'la empresa de transporte ha recibido los datos del envío',
    in_transit: 'en tránsito',
    customs_hold: 'retenido en aduanas',
    customs_cleared: 'despachado en aduanas',
    out_for_delivery: 'en reparto',
    delivered: 'entregado',
    exception: 'incidencia en la entrega',
    returned: 'devuelto al remitente',
  },
};

const es419: LogisticsCatalog = {
  ...es,
  customsHold: 'Tu paquete está retenido en la aduana para su liberación en {place} desde el {since}.',
  customsOverdue:
    'Está tardando más de lo habitual en {country} (alrededor de {delay}); estamos revisando con la paquetería y te avisamos.',
  customsDuties:
    'Es un envío DDU: los aranceles e impuestos de importación corren por tu cuenta antes de la liberación, y la paquetería te va a contactar para pagarlos.',
  customsDutiesAmount:
    'Es un envío DDU: los aranceles e impuestos de importación, de {amount}, corren por tu cuenta antes de la liberación, y la paquetería te va a contactar para pagarlos.',
  customsNext: 'Cuando la aduana lo libere, la paquetería va a continuar con la entrega; puedes seguirlo con tu número de rastreo.',
  status: { ...es.status, info_received: 'la paquetería recibió los datos del envío', exception: 'problema con la entrega' },
};

const fr: LogisticsCatalog = {
  customsHold: 'Votre colis est retenu en douane pour dédouanement à {place} depuis le {since}.',
  customsTypical:
    'Dans ce pays ({country}), le dédouanement prend en général environ {delay} : nous prévoyons sa libération vers le {expected}.',
  customsOverdue: 'C’est plus long que d’habitude (environ {delay}, {country}) ; nous relançons le transporteur et vous tiendrons informé.',
  customsDuties:
    'Il s’agit d’un envoi DDU : les droits et taxes d’importation sont à votre charge avant la libération ; le transporteur vous contactera pour le paiement.',
  customsDutiesAmount:
    'Il s’agit d’un envoi DDU : les droits et taxes d’importation, soit {amount}, sont à votre charge avant la libération ; le transporteur vous contactera pour le paiement.',
  customsNext: 'Dès que la douane le libère, le transporteur poursuit la livraison ; vous pouvez le suivre avec votre numéro de suivi.',
  customsCleared: 'Bonne nouvelle : votre colis a été dédouané à {place} le {since} et il est en route.',
  tracking: 'Dernière mise à jour de votre colis : {status} — {description} ({place}, {time}).',
  trackingNoDescription: 'Dernière mise à jour de votre colis : {status} ({place}, {time}).',
  unknownPlace: 'lieu non précisé',
  viaAggregator:
    'Cette information provient de 17TRACK, un service de suivi de colis, car notre connexion directe avec {carrier} est momentanément indisponible.',
  status: {
    info_received: 'le transporteur a reçu les informations d’expédition',
    in_transit: 'en transit',
    customs_hold: 'retenu en douane',
    customs_cleared: 'dédouané',
    out_for_delivery: 'en cours de livraison',
    delivered: 'livré',
    exception: 'incident de livraison',
    returned: 'retourné à l’expéditeur',
  },
};

const pt: LogisticsCatalog = {
  customsHold: 'Sua encomenda está retida na alfândega para desembaraço em {place} desde {since}.',
  customsTypical:
    'O desembaraço aduaneiro no país ({country}) costuma levar cerca de {delay}, então esperamos a liberação por volta de {expected}.',
  customsOverdue:
    'Está demorando mais que o normal no país ({country}), que é de cerca de {delay}; estamos acompanhando com a transportadora e avisaremos você.',
  customsDuties:
    'Este é um envio DDU: os impostos de importação são pagos por você antes da liberação, e a transportadora entrará em contato para o pagamento.',
  customsDutiesAmount:
    'Este é um envio DDU: os impostos de importação, de {amount}, são pagos por você antes da liberação, e a transportadora entrará em contato para o pagamento.',
  customsNext: 'Assim que a alfândega liberar, a transportadora segue com a entrega; você pode acompanhar pelo código de rastreio.',
  customsCleared: 'Boa notícia: sua encomenda foi liberada pela alfândega em {place} em {since} e está a caminho.',
  tracking: 'Última atualização da sua encomenda: {status} — {description} ({place}, {time}).',
  trackingNoDescription: 'Última atualização da sua encomenda: {status} ({place}, {time}).',
  unknownPlace: 'local não informado',
  viaAggregator:
    'Esta atualização vem do 17TRACK, um serviço de rastreamento de encomendas, porque nossa conexão direta com {carrier} está temporariamente indisponível.',
  status: {
    info_received: 'a transportadora recebeu os dados do envio',
    in_transit: 'em trânsito',
    customs_hold: 'retida na alfândega',
    customs_cleared: 'liberada pela alfândega',
    out_for_delivery: 'saiu para entrega',
    delivered: 'entregue',
    exception: 'problema na entrega',
    returned: 'devolvida ao remetente',
  },
};

const zh: LogisticsCatalog = {
  customsHold: '您的包裹自{since}起在{place}等待海关清关。',
  customsTypical: '{country}的清关通常需要约{delay}，预计在{expected}左右放行。',
  customsOverdue: '这已超过{country}通常的{delay}清关时间，我们正在与承运商跟进，有消息会通知您。',
  customsDuties: '这是 DDU（未完税交货）包裹：放行前需由您支付进口关税和税费，承运商会联系您付款。',
  customsDutiesAmount: '这是 DDU（未完税交货）包裹：放行前需由您支付进口关税和税费共 {amount}，承运商会联系您付款。',
  customsNext: '海关放行后，承运商会继续派送，您可以通过运单号继续跟踪。',
  customsCleared: '好消息：您的包裹已于{since}在{place}完成清关，正在派送途中。',
  tracking: '您的包裹最新动态：{status}——{description}（{place}，{time}）。',
  trackingNoDescription: '您的包裹最新动态：{status}（{place}，{time}）。',
  unknownPlace: '地点未提供',
  viaAggregator: '此更新来自包裹追踪服务 17TRACK，因为我们与 {carrier} 的直连暂时不可用。',
  status: {
    info_received: '承运商已收到发货信息',
    in_transit: '运输中',
    customs_hold: '海关扣留',
    customs_cleared: '已清关',
    out_for_delivery: '派送中',
    delivered: '已签收',
    exception: '派送异常',
    returned: '已退回发件人',
  },
};

const th: LogisticsCatalog = {
  customsHold: 'พัสดุของคุณอยู่ระหว่างรอผ่านพิธีการศุลกากรที่ {place} ตั้งแต่ {since}',
  customsTypical: 'การผ่านพิธีการศุลกากรใน{country}โดยปกติใช้เวลาประมาณ {delay} คาดว่าจะได้รับการปล่อยพัสดุราว {expected}',
  customsOverdue: 'ขณะนี้ใช้เวลานานกว่าปกติ ({delay} สำหรับ{country}) เรากำลังติดตามกับบริษัทขนส่งและจะแจ้งให้ทราบ',
  customsDuties: 'พัสดุนี้เป็นการส่งแบบ DDU: คุณต้องชำระอากรและภาษีนำเข้าก่อนปล่อยพัสดุ บริษัทขนส่งจะติดต่อคุณเพื่อชำระเงิน',
  customsDutiesAmount: 'พัสดุนี้เป็นการส่งแบบ DDU: คุณต้องชำระอากรและภาษีนำเข้า {amount} ก่อนปล่อยพัสดุ บริษัทขนส่งจะติดต่อคุณเพื่อชำระเงิน',
  customsNext: 'เมื่อศุลกากรปล่อยพัสดุแล้ว บริษัทขนส่งจะจัดส่งต่อ คุณติดตามได้ด้วยหมายเลขพัสดุ',
  customsCleared: 'ข่าวดี: พัสดุของคุณผ่านพิธีการศุลกากรที่ {place} เมื่อ {since} และกำลังจัดส่งถึงคุณ',
  tracking: 'สถานะล่าสุดของพัสดุ: {status} — {description} ({place}, {time})',
  trackingNoDescription: 'สถานะล่าสุดของพัสดุ: {status} ({place}, {time})',
  unknownPlace: 'ไม่ระบุสถานที่',
  viaAggregator: 'ข้อมูลนี้มาจาก 17TRACK ซึ่งเป็นบริการติดตามพัสดุ เนื่องจากการเชื่อมต่อโดยตรงกับ {carrier} ของเราขัดข้องชั่วคราว',
  status: {
    info_received: 'บริษัทขนส่งได้รับข้อมูลการจัดส่งแล้ว',
    in_transit: 'อยู่ระหว่างขนส่ง',
    customs_hold: 'ถูกกักที่ศุลกากร',
    customs_cleared: 'ผ่านพิธีการศุลกากรแล้ว',
    out_for_delivery: 'กำลังนำส่ง',
    delivered: 'จัดส่งสำเร็จ',
    exception: 'การจัดส่งมีปัญหา',
    returned: 'ตีกลับไปยังผู้ส่ง',
  },
};

const vi: LogisticsCatalog = {
  customsHold: 'Bưu kiện của bạn đang chờ thông quan tại {place} từ {since}.',
  customsTypical:
    'Thông quan tại {country} thường mất khoảng {delay}, nên chúng tôi dự kiến bưu kiện được thông quan vào khoảng {expected}.',
  customsOverdue:
    'Thời gian này đã lâu hơn mức thông thường ({delay}) tại {country}; chúng tôi đang theo dõi với hãng vận chuyển và sẽ báo cho bạn.',
  customsDuties:
    'Đây là lô hàng DDU: bạn cần nộp thuế nhập khẩu trước khi hàng được thông quan, hãng vận chuyển sẽ liên hệ để bạn thanh toán.',
  customsDutiesAmount:
    'Đây là lô hàng DDU: bạn cần nộp thuế nhập khẩu {amount} trước khi hàng được thông quan, hãng vận chuyển sẽ liên hệ để bạn thanh toán.',
  customsNext: 'Sau khi hải quan thông quan, hãng vận chuyển sẽ tiếp tục giao hàng; bạn có thể theo dõi bằng mã vận đơn.',
  customsCleared: 'Tin vui: bưu kiện của bạn đã được thông quan tại {place} vào {since} và đang trên đường giao đến bạn.',
  tracking: 'Cập nhật mới nhất về bưu kiện: {status} — {description} ({place}, {time}).',
  trackingNoDescription: 'Cập nhật mới nhất về bưu kiện: {status} ({place}, {time}).',
  unknownPlace: 'không rõ địa điểm',
  viaAggregator:
    'Thông tin này được lấy từ 17TRACK, một dịch vụ theo dõi bưu kiện, vì kết nối trực tiếp của chúng tôi với {carrier} tạm thời không khả dụng.',
  status: {
    info_received: 'hãng vận chuyển đã nhận thông tin gửi hàng',
    in_transit: 'đang vận chuyển',
    customs_hold: 'đang bị giữ tại hải quan',
    customs_cleared: 'đã thông quan',
    out_for_delivery: 'đang giao hàng',
    delivered: 'đã giao',
    exception: 'sự cố giao hàng',
    returned: 'đã hoàn về người gửi',
  },
};

const id: LogisticsCatalog = {
  customsHold: 'Paket Anda sedang ditahan untuk proses bea cukai di {place} sejak {since}.',
  customsTypical:
    'Proses bea cukai di {country} biasanya memakan waktu sekitar {delay}, jadi kami perkirakan paket dilepas sekitar {expected}.',
  customsOverdue:
    'Ini sudah lebih lama dari biasanya ({delay} untuk {country}); kami sedang menindaklanjuti dengan kurir dan akan mengabari Anda.',
  customsDuties:
    'Ini pengiriman DDU: bea masuk dan pajak impor dibayar oleh Anda sebelum paket dilepas, dan kurir akan menghubungi Anda untuk pembayarannya.',
  customsDutiesAmount:
    'Ini pengiriman DDU: bea masuk dan pajak impor sebesar {amount} dibayar oleh Anda sebelum paket dilepas, dan kurir akan menghubungi Anda untuk pembayarannya.',
  customsNext: 'Setelah dilepas oleh bea cukai, kurir akan melanjutkan pengiriman; Anda bisa terus memantaunya dengan nomor resi.',
  customsCleared: 'Kabar baik: paket Anda sudah lolos bea cukai di {place} pada {since} dan sedang dalam perjalanan.',
  tracking: 'Update terbaru paket Anda: {status} — {description} ({place}, {time}).',
  trackingNoDescription: 'Update terbaru paket Anda: {status} ({place}, {time}).',
  unknownPlace: 'lokasi tidak disebutkan',
  viaAggregator:
    'Info ini berasal dari 17TRACK, layanan pelacakan paket, karena koneksi langsung kami ke {carrier} sedang tidak tersedia untuk sementara.',
  status: {
    info_received: 'kurir sudah menerima data pengiriman',
    in_transit: 'dalam perjalanan',
    customs_hold: 'ditahan bea cukai',
    customs_cleared: 'lolos bea cukai',
    out_for_delivery: 'sedang diantar',
    delivered: 'terkirim',
    exception: 'kendala pengiriman',
    returned: 'dikembalikan ke pengirim',
  },
};

const ar: LogisticsCatalog = {
  customsHold: 'طردك محتجز لدى الجمارك للتخليص في {place} منذ {since}.',
  customsTypical: 'يستغرق التخليص الجمركي في {country} عادةً نحو {delay}، لذا نتوقع الإفراج عنه في حدود {expected}.',
  customsOverdue: 'تجاوز ذلك المدة المعتادة ({delay}) في {country}؛ نتابع الأمر مع شركة الشحن وسنبلغك.',
  customsDuties: 'هذه شحنة DDU: الرسوم والضرائب الجمركية على حسابك قبل الإفراج، وستتواصل معك شركة الشحن للدفع.',
  customsDutiesAmount: 'هذه شحنة DDU: الرسوم والضرائب الجمركية البالغة {amount} على حسابك قبل الإفراج، وستتواصل معك شركة الشحن للدفع.',
  customsNext: 'بعد إفراج الجمارك عنه، تواصل شركة الشحن التوصيل، ويمكنك متابعته برقم التتبع.',
  customsCleared: 'خبر سار: تم تخليص طردك جمركيًا في {place} بتاريخ {since} وهو في طريقه إليك.',
  tracking: 'آخر تحديث لطردك: {status} — {description} ({place}، {time}).',
  trackingNoDescription: 'آخر تحديث لطردك: {status} ({place}، {time}).',
  unknownPlace: 'الموقع غير محدد',
  viaAggregator: 'هذا التحديث مصدره 17TRACK، وهي خدمة لتتبع الطرود، لأن اتصالنا المباشر بشركة {carrier} غير متاح مؤقتًا.',
  status: {
    info_received: 'استلمت شركة الشحن بيانات الشحنة',
    in_transit: 'قيد النقل',
    customs_hold: 'محتجز لدى الجمارك',
    customs_cleared: 'تم التخليص الجمركي',
    out_for_delivery: 'خرج للتوصيل',
    delivered: 'تم التسليم',
    exception: 'مشكلة في التوصيل',
    returned: 'أُعيد إلى المرسل',
  },
};

export const LOGISTICS_CATALOGS: Record<string, LogisticsCatalog> = { en, zh, es, 'es-419': es419, fr, pt, th, vi, id, ar };
