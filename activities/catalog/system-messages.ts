/**
 * System messages in the 9 buyer languages (en, zh, es, fr, pt, th, vi, id, ar) plus the
 * Latin-American Spanish variant `es-419`. Keys are the SystemMessageKind the workflow asks for.
 * Placeholders ({code}, {discount}, {until}) are filled by the composer (activities/messaging/compose.ts).
 */
export const LANGUAGES = ['en', 'zh', 'es', 'fr', 'pt', 'th', 'vi', 'id', 'ar'] as const;
export type Language = (typeof LANGUAGES)[number];

export type SystemMessageKind =
  | 'not_understood'
  | 'handoff_notice'
  | 'handoff_still_waiting'
  | 'handoff_unavailable'
  | 'agent_joined'
  | 'back_to_bot'
  | 'silence_nudge'
  | 'silence_nudge_coupon'
  | 'silence_nudge_coupon_until'
  | 'closed'
  | 'nps_question'
  | 'nps_thanks';

type Catalog = Record<SystemMessageKind, string>;

const en: Catalog = {
  not_understood: "Sorry, I didn't quite get that. Could you tell me a bit more, for example your order number or what you'd like to know?",
  handoff_notice: "I'm connecting you with a member of our team. Please stay here; they'll reply in this chat.",
  handoff_still_waiting:
    'Thanks for waiting. All our agents are busy, so I have passed your request to a senior colleague; they will reply here soon.',
  handoff_unavailable:
    'Sorry, no one from our team is free right now. We have recorded your request and will reply in this chat as soon as possible. Meanwhile I can keep helping with questions about orders, shipping and returns.',
  agent_joined: 'A member of our team has joined the chat.',
  back_to_bot: "Our team member has left the chat. I'm here if you need anything else.",
  silence_nudge: 'Are you still there? Take your time; just reply here whenever you are ready and I will pick it up.',
  silence_nudge_coupon:
    'Are you still there? Here is a {discount} discount code for your order: {code}. Just reply here whenever you are ready.',
  silence_nudge_coupon_until:
    'Are you still there? Here is a {discount} discount code for your order: {code} (valid until {until}). Just reply here whenever you are ready.',
  closed: 'This chat is now closed. Write to us any time and we will be happy to help.',
  nps_question: 'How likely are you to recommend us to a friend? Please reply with a number from 0 (not at all) to 10 (definitely).',
  nps_thanks: 'Thank you for your feedback!',
};

const catalogs: Record<string, Catalog> = {
  en,
  zh: {
    not_understood: '抱歉，我没太明白。能再多说一点吗？例如您的订单号或想了解的问题。',
    handoff_notice: '正在为您转接人工客服，请稍候，客服会在此对话中回复您。',
    handoff_still_waiting: '感谢您的耐心等待。目前客服都在忙，我已将您的请求转给高级客服，他们很快会在这里回复您。',
    handoff_unavailable:
      '抱歉，目前没有空闲的客服。我们已记录您的请求，会尽快在此对话中回复您。在此期间，我可以继续为您解答订单、物流和退货相关的问题。',
    agent_joined: '客服人员已加入对话。',
    back_to_bot: '客服人员已离开对话。如还有其他需要，我随时为您服务。',
    silence_nudge: '您还在吗？不着急，准备好后直接在这里回复，我会继续为您处理。',
    silence_nudge_coupon: '您还在吗？送您一张{discount}优惠码：{code}，下单时可用。准备好后直接在这里回复即可。',
    silence_nudge_coupon_until: '您还在吗？送您一张{discount}优惠码：{code}（有效期至{until}），下单时可用。准备好后直接在这里回复即可。',
    closed: '本次对话已结束。如有需要，欢迎随时联系我们。',
    nps_question: '您有多大可能向朋友推荐我们？请回复 0（完全不会）到 10（一定会）之间的数字。',
    nps_thanks: '感谢您的反馈！',
  },
  es: {
    not_understood:
      'Perdona, no te he entendido bien. ¿Puedes darme más detalles, por ejemplo tu número de pedido o qué te gustaría saber?',
    handoff_notice: 'Te estoy pasando con una persona de nuestro equipo. Quédate aquí; te responderá en este chat.',
    handoff_still_waiting:
      'Gracias por esperar. Todos nuestros agentes están ocupados, así que he pasado tu solicitud a un responsable; te responderá aquí pronto.',
    handoff_unavailable:
      'Lo sentimos, ahora mismo no hay nadie disponible. Hemos registrado tu solicitud y te responderemos en este chat lo antes posible. Mientras tanto, puedo ayudarte con pedidos, envíos y devoluciones.',
    agent_joined: 'Una persona de nuestro equipo se ha unido al chat.',
    back_to_bot: 'Nuestro compañero ha salido del chat. Sigo aquí si necesitas algo más.',
    silence_nudge: '¿Sigues ahí? Sin prisa; responde aquí cuando quieras y lo retomo.',
    silence_nudge_coupon:
      '¿Sigues ahí? Aquí tienes un código de descuento de {discount} para tu pedido: {code}. Responde aquí cuando quieras.',
    silence_nudge_coupon_until:
      '¿Sigues ahí? Aquí tienes un código de descuento de {discount} para tu pedido: {code} (válido hasta el {until}). Responde aquí cuando quieras.',
    closed: 'Este chat se ha cerrado. Escríbenos cuando quieras y te ayudaremos encantados.',
    nps_question:
      '¿Qué probabilidad hay de que nos recomiendes a un amigo? Responde con un número del 0 (nada probable) al 10 (muy probable).',
    nps_thanks: '¡Gracias por tu opinión!',
  },
  'es-419': {
    not_understood: 'Disculpa, no te entendí bien. ¿Me puedes dar más detalles, por ejemplo tu número de pedido o qué quieres saber?',
    handoff_notice: 'Te estoy comunicando con una persona de nuestro equipo. Quédate aquí; te va a responder en este chat.',
    handoff_still_waiting:
      'Gracias por esperar. Todos nuestros agentes están ocupados, así que pasé tu solicitud a un supervisor; te va a responder aquí pronto.',
    handoff_unavailable:
      'Lo sentimos, en este momento no hay nadie disponible. Registramos tu solicitud y te vamos a responder en este chat lo antes posible. Mientras tanto, te puedo ayudar con pedidos, envíos y devoluciones.',
    agent_joined: 'Una persona de nuestro equipo se unió al chat.',
    back_to_bot: 'Nuestro compañero salió del chat. Sigo aquí si necesitas algo más.',
    silence_nudge: '¿Sigues ahí? Sin apuro; responde aquí cuando quieras y lo retomo.',
    silence_nudge_coupon:
      '¿Sigues ahí? Aquí tienes un código de descuento de {discount} para tu compra: {code}. Responde aquí cuando quieras.',
    silence_nudge_coupon_until:
      '¿Sigues ahí? Aquí tienes un código de descuento de {discount} para tu compra: {code} (válido hasta el {until}). Responde aquí cuando quieras.',
    closed: 'Este chat se cerró. Escríbenos cuando quieras y con gusto te ayudamos.',
    nps_question: '¿Qué tan probable es que nos recomiendes a un amigo? Responde con un número del 0 (nada probable) al 10 (muy probable).',
    nps_thanks: '¡Gracias por tus comentarios!',
  },
  fr: {
    not_understood:
      "Désolé, je n'ai pas bien compris. Pouvez-vous m'en dire un peu plus, par exemple votre numéro de commande ou ce que vous souhaitez savoir ?",
    handoff_notice: 'Je vous mets en relation avec un membre de notre équipe. Restez ici ; il vous répondra dans cette conversation.',
    handoff_still_waiting:
      "Merci de votre patience. Tous nos conseillers sont occupés ; j'ai transmis votre demande à un responsable, qui vous répondra ici rapidement.",
    handoff_unavailable:
      "Désolé, personne de notre équipe n'est disponible pour le moment. Votre demande est enregistrée et nous vous répondrons ici dès que possible. En attendant, je peux vous aider pour les commandes, la livraison et les retours.",
    agent_joined: 'Un membre de notre équipe a rejoint la conversation.',
    back_to_bot: "Notre conseiller a quitté la conversation. Je reste là si vous avez besoin d'autre chose.",
    silence_nudge: 'Vous êtes toujours là ? Prenez votre temps ; répondez ici quand vous êtes prêt et je reprendrai.',
    silence_nudge_coupon:
      'Vous êtes toujours là ? Voici un code de réduction de {discount} pour votre commande : {code}. Répondez ici quand vous êtes prêt.',
    silence_nudge_coupon_until:
      "Vous êtes toujours là ? Voici un code de réduction de {discount} pour votre commande : {code} (valable jusqu'au {until}). Répondez ici quand vous êtes prêt.",
    closed: 'Cette conversation est terminée. Écrivez-nous quand vous voulez, nous serons ravis de vous aider.',
    nps_question:
      'Quelle est la probabilité que vous nous recommandiez à un ami ? Répondez par un chiffre de 0 (pas du tout) à 10 (certainement).',
    nps_thanks: 'Merci pour votre avis !',
  },
  pt: {
    not_understood: 'Desculpe, não entendi bem. Pode me dar mais detalhes, por exemplo o número do pedido ou o que gostaria de saber?',
    handoff_notice: 'Estou transferindo você para alguém da nossa equipe. Fique por aqui; a resposta virá neste chat.',
    handoff_still_waiting:
      'Obrigado por aguardar. Todos os atendentes estão ocupados, então encaminhei seu pedido a um supervisor; ele responderá aqui em breve.',
    handoff_unavailable:
      'Desculpe, ninguém da nossa equipe está disponível agora. Registramos seu pedido e responderemos neste chat o quanto antes. Enquanto isso, posso ajudar com pedidos, entregas e devoluções.',
    agent_joined: 'Um atendente da nossa equipe entrou no chat.',
    back_to_bot: 'Nosso atendente saiu do chat. Continuo aqui se precisar de algo mais.',
    silence_nudge: 'Você ainda está aí? Sem pressa; responda aqui quando puder e eu continuo.',
    silence_nudge_coupon:
      'Você ainda está aí? Aqui está um cupom de {discount} de desconto para o seu pedido: {code}. Responda aqui quando puder.',
    silence_nudge_coupon_until:
      'Você ainda está aí? Aqui está um cupom de {discount} de desconto para o seu pedido: {code} (válido até {until}). Responda aqui quando puder.',
    closed: 'Este chat foi encerrado. Fale com a gente quando quiser, teremos prazer em ajudar.',
    nps_question: 'Qual a probabilidade de você nos recomendar a um amigo? Responda com um número de 0 (nenhuma) a 10 (com certeza).',
    nps_thanks: 'Obrigado pela sua avaliação!',
  },
  th: {
    not_understood: 'ขออภัย ฉันยังไม่เข้าใจ ช่วยบอกรายละเอียดเพิ่มได้ไหมคะ เช่น หมายเลขคำสั่งซื้อ หรือสิ่งที่ต้องการทราบ',
    handoff_notice: 'กำลังโอนสายให้เจ้าหน้าที่ของเรา กรุณารอสักครู่ เจ้าหน้าที่จะตอบกลับในแชทนี้',
    handoff_still_waiting: 'ขอบคุณที่รอค่ะ ขณะนี้เจ้าหน้าที่ทุกคนไม่ว่าง จึงส่งเรื่องของคุณให้หัวหน้างานแล้ว จะตอบกลับในแชทนี้เร็วๆ นี้',
    handoff_unavailable:
      'ขออภัย ขณะนี้ไม่มีเจ้าหน้าที่ว่าง เราได้บันทึกคำขอของคุณแล้วและจะตอบกลับในแชทนี้โดยเร็วที่สุด ระหว่างนี้ฉันยังช่วยเรื่องคำสั่งซื้อ การจัดส่ง และการคืนสินค้าได้',
    agent_joined: 'เจ้าหน้าที่ของเราเข้าร่วมแชทแล้ว',
    back_to_bot: 'เจ้าหน้าที่ออกจากแชทแล้ว หากต้องการความช่วยเหลือเพิ่มเติม ฉันยังอยู่ที่นี่',
    silence_nudge: 'ยังอยู่ไหมคะ ไม่ต้องรีบ พร้อมเมื่อไหร่ตอบกลับที่นี่ได้เลย',
    silence_nudge_coupon: 'ยังอยู่ไหมคะ นี่คือโค้ดส่วนลด {discount} สำหรับคำสั่งซื้อของคุณ: {code} พร้อมเมื่อไหร่ตอบกลับที่นี่ได้เลย',
    silence_nudge_coupon_until: 'ยังอยู่ไหมคะ นี่คือโค้ดส่วนลด {discount} สำหรับคำสั่งซื้อของคุณ: {code} (ใช้ได้ถึง {until}) พร้อมเมื่อไหร่ตอบกลับที่นี่ได้เลย',
    closed: 'แชทนี้ปิดแล้ว ติดต่อเราได้ทุกเมื่อ ยินดีให้บริการค่ะ',
    nps_question: 'คุณมีแนวโน้มจะแนะนำเราให้เพื่อนมากน้อยแค่ไหน กรุณาตอบเป็นตัวเลข 0 (ไม่แนะนำเลย) ถึง 10 (แนะนำแน่นอน)',
    nps_thanks: 'ขอบคุณสำหรับความคิดเห็นค่ะ',
  },
  vi: {
    not_understood: 'Xin lỗi, tôi chưa hiểu rõ. Bạn có thể cho biết thêm, ví dụ mã đơn hàng hoặc điều bạn muốn hỏi không?',
    handoff_notice:
      'Tôi đang chuyển bạn đến nhân viên của chúng tôi. Vui lòng chờ trong giây lát; nhân viên sẽ trả lời trong cuộc trò chuyện này.',
    handoff_still_waiting:
      'Cảm ơn bạn đã chờ. Hiện tất cả nhân viên đều bận, tôi đã chuyển yêu cầu của bạn cho quản lý; họ sẽ sớm trả lời tại đây.',
    handoff_unavailable:
      'Xin lỗi, hiện chưa có nhân viên nào rảnh. Chúng tôi đã ghi nhận yêu cầu và sẽ trả lời trong cuộc trò chuyện này sớm nhất có thể. Trong lúc chờ, tôi vẫn có thể hỗ trợ về đơn hàng, vận chuyển và đổi trả.',
    agent_joined: 'Nhân viên của chúng tôi đã tham gia cuộc trò chuyện.',
    back_to_bot: 'Nhân viên đã rời cuộc trò chuyện. Tôi vẫn ở đây nếu bạn cần thêm gì.',
    silence_nudge: 'Bạn vẫn còn đó chứ? Cứ thong thả; khi nào sẵn sàng bạn chỉ cần trả lời tại đây.',
    silence_nudge_coupon:
      'Bạn vẫn còn đó chứ? Đây là mã giảm giá {discount} cho đơn hàng của bạn: {code}. Khi nào sẵn sàng, bạn chỉ cần trả lời tại đây.',
    silence_nudge_coupon_until:
      'Bạn vẫn còn đó chứ? Đây là mã giảm giá {discount} cho đơn hàng của bạn: {code} (có hiệu lực đến {until}). Khi nào sẵn sàng, bạn chỉ cần trả lời tại đây.',
    closed: 'Cuộc trò chuyện đã kết thúc. Hãy nhắn cho chúng tôi bất cứ lúc nào, chúng tôi luôn sẵn lòng hỗ trợ.',
    nps_question:
      'Bạn có sẵn lòng giới thiệu chúng tôi cho bạn bè không? Vui lòng trả lời bằng một số từ 0 (hoàn toàn không) đến 10 (chắc chắn có).',
    nps_thanks: 'Cảm ơn bạn đã góp ý!',
  },
  id: {
    not_understood: 'Maaf, saya kurang paham. Bisa jelaskan sedikit lagi, misalnya nomor pesanan atau apa yang ingin Anda ketahui?',
    handoff_notice: 'Saya sedang menghubungkan Anda dengan tim kami. Mohon tunggu di sini; mereka akan membalas di chat ini.',
    handoff_still_waiting:
      'Terima kasih sudah menunggu. Semua agen sedang sibuk, jadi permintaan Anda sudah saya teruskan ke supervisor; mereka akan segera membalas di sini.',
    handoff_unavailable:
      'Maaf, saat ini belum ada tim kami yang tersedia. Permintaan Anda sudah kami catat dan akan kami balas di chat ini secepatnya. Sementara itu saya tetap bisa membantu soal pesanan, pengiriman, dan retur.',
    agent_joined: 'Anggota tim kami telah bergabung ke chat.',
    back_to_bot: 'Anggota tim kami telah meninggalkan chat. Saya masih di sini jika Anda butuh bantuan lain.',
    silence_nudge: 'Apakah Anda masih di sana? Santai saja; balas di sini kapan pun Anda siap.',
    silence_nudge_coupon:
      'Apakah Anda masih di sana? Ini kode diskon {discount} untuk pesanan Anda: {code}. Balas di sini kapan pun Anda siap.',
    silence_nudge_coupon_until:
      'Apakah Anda masih di sana? Ini kode diskon {discount} untuk pesanan Anda: {code} (berlaku hingga {until}). Balas di sini kapan pun Anda siap.',
    closed: 'Chat ini sudah ditutup. Hubungi kami kapan saja, kami siap membantu.',
    nps_question:
      'Seberapa besar kemungkinan Anda merekomendasikan kami kepada teman? Balas dengan angka 0 (sama sekali tidak) sampai 10 (pasti).',
    nps_thanks: 'Terima kasih atas masukan Anda!',
  },
  ar: {
    not_understood: 'عذرًا، لم أفهم تمامًا. هل يمكنك توضيح المزيد، مثل رقم الطلب أو ما تريد معرفته؟',
    handoff_notice: 'أقوم بتحويلك إلى أحد أعضاء فريقنا. يُرجى البقاء هنا؛ سيتم الرد عليك في هذه المحادثة.',
    handoff_still_waiting: 'شكرًا لانتظارك. جميع الموظفين مشغولون حاليًا، لذا أحلت طلبك إلى مشرف وسيرد عليك هنا قريبًا.',
    handoff_unavailable:
      'عذرًا، لا يوجد أحد من فريقنا متاح الآن. سجّلنا طلبك وسنرد عليك في هذه المحادثة في أقرب وقت. في هذه الأثناء يمكنني مساعدتك في الطلبات والشحن والإرجاع.',
    agent_joined: 'انضم أحد أعضاء فريقنا إلى المحادثة.',
    back_to_bot: 'غادر موظفنا المحادثة. أنا هنا إذا احتجت أي شيء آخر.',
    silence_nudge: 'هل ما زلت هنا؟ خذ وقتك؛ رد هنا متى كنت مستعدًا وسأتابع معك.',
    silence_nudge_coupon: 'هل ما زلت هنا؟ إليك رمز خصم بقيمة {discount} لطلبك: {code}. رد هنا متى كنت مستعدًا.',
    silence_nudge_coupon_until: 'هل ما زلت هنا؟ إليك رمز خصم بقيمة {discount} لطلبك: {code} (صالح حتى {until}). رد هنا متى كنت مستعدًا.',
    closed: 'تم إغلاق هذه المحادثة. راسلنا في أي وقت ويسعدنا مساعدتك.',
    nps_question: 'ما مدى احتمال أن توصي بنا لصديق؟ يُرجى الرد برقم من 0 (غير محتمل إطلاقًا) إلى 10 (محتمل جدًا).',
    nps_thanks: 'شكرًا على ملاحظاتك!',
  },
};

/** The message for a language, falling back to the base language, then to English. */
export function systemMessage(kind: SystemMessageKind, language: string | null | undefined): { text: string; language: string } {
  const lang = language ?? 'en';
  const base = lang.split('-')[0]!;
  const catalog = catalogs[lang] ?? catalogs[base] ?? en;
  const used = catalogs[lang] ? lang : catalogs[base] ? base : 'en';
  return { text: catalog[kind], language: used };
}

/** Kinds that ask the buyer something (the silence nudge is armed after them). */
export const QUESTION_KINDS: ReadonlySet<SystemMessageKind> = new Set(['not_understood']);
