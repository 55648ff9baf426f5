/**
 * Language identification on short buyer messages where statistics fail: Portuguese vs Spanish,
 * Indonesian vs Malay (issue 18, item 4). Labelled sets of realistic e-commerce messages; accuracy
 * per pair with and without priors (previous language, shop languages, buyer country).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectLanguage, type LanguagePriors } from '../activities/understanding/language.js';
import { buyerCountry, buyerLocale, countryFromPhone } from '../activities/catalog/buyer-country.js';
import { t } from '../activities/catalog/t.js';
import { makeRenderReply } from '../activities/messaging/render.js';
import { compose } from '../activities/messaging/compose.js';
import { shopLanguages } from '../activities/understanding/shop-languages.js';
import { disconnectMongo } from '../models/connection.js';
import { ShopModel } from '../models/shop.js';
import { useFreshDatabase } from './setup/helpers.js';

export const PT_ES: Array<[string, 'pt' | 'es']> = [
  ['Posso devolver o produto?', 'pt'],
  ['Meu pacote ainda não chegou', 'pt'],
  ['Qual o prazo de entrega pra São Paulo?', 'pt'],
  ['Vocês aceitam Pix?', 'pt'],
  ['Comprei o tamanho errado, dá pra trocar?', 'pt'],
  ['Cadê minha encomenda?', 'pt'],
  ['O código de rastreio não funciona', 'pt'],
  ['Quanto custa o frete?', 'pt'],
  ['Recebi a peça quebrada', 'pt'],
  ['Quero cancelar a compra', 'pt'],
  ['Já paguei, e agora?', 'pt'],
  ['Boa tarde, tudo bem?', 'pt'],
  ['Tem na cor azul?', 'pt'],
  ['Quando vou receber o estorno?', 'pt'],
  ['Preciso mudar o endereço de entrega', 'pt'],
  ['Obrigada pela ajuda!', 'pt'],
  ['A caixa veio amassada', 'pt'],
  ['Isso serve no iPhone 13?', 'pt'],
  ['Faz uma semana que espero', 'pt'],
  ['Oi, alguém pode me ajudar?', 'pt'],
  ['¿Puedo devolverlo si no me queda?', 'es'],
  ['Mi paquete todavía no llega', 'es'],
  ['¿Cuánto tarda el envío a Lima?', 'es'],
  ['¿Aceptan pago contra entrega?', 'es'],
  ['Me llegó la talla equivocada', 'es'],
  ['¿Dónde está mi pedido?', 'es'],
  ['El número de seguimiento no funciona', 'es'],
  ['¿Cuánto cuesta el envío?', 'es'],
  ['Recibí el producto roto', 'es'],
  ['Quiero cancelar la compra', 'es'],
  ['Ya pagué, ¿y ahora qué?', 'es'],
  ['Buenas tardes, ¿cómo están?', 'es'],
  ['¿Lo tienen en color azul?', 'es'],
  ['¿Cuándo me devuelven el dinero?', 'es'],
  ['Necesito cambiar la dirección de entrega', 'es'],
  ['Muchas gracias por la ayuda', 'es'],
  ['La caja llegó aplastada', 'es'],
  ['¿Esto sirve para el iPhone 13?', 'es'],
  ['Llevo una semana esperando', 'es'],
  ['Hola, ¿alguien me ayuda?', 'es'],
];

export const ID_MS: Array<[string, 'id' | 'ms']> = [
  ['Bisakah saya bayar dengan COD?', 'id'],
  ['Kak, paket saya kok belum sampai ya?', 'id'],
  ['Ongkir ke Surabaya berapa?', 'id'],
  ['Barangnya rusak, mau retur', 'id'],
  ['Kapan pesanan saya dikirim?', 'id'],
  ['Nomor resinya apa ya min?', 'id'],
  ['Uangnya kapan dikembalikan?', 'id'],
  ['Ukuran L masih ada gak?', 'id'],
  ['Saya mau ganti alamat pengiriman', 'id'],
  ['Udah transfer tapi belum diproses', 'id'],
  ['Gimana cara tukar ukuran?', 'id'],
  ['Makasih kak, sudah diterima', 'id'],
  ['Kurirnya nggak datang-datang', 'id'],
  ['Apakah bisa kirim ke Bali?', 'id'],
  ['Pesanannya salah warna nih', 'id'],
  ['Ada diskon buat pembelian kedua?', 'id'],
  ['Paketnya nyasar ke alamat lain', 'id'],
  ['Boleh minta nomor resi?', 'id'],
  ['Saya tidak bisa login ke akun', 'id'],
  ['Barang sudah sampai tapi kurang satu', 'id'],
  ['Boleh saya bayar secara COD?', 'ms'],
  ['Bila barang saya akan sampai?', 'ms'],
  ['Kos penghantaran ke Johor berapa?', 'ms'],
  ['Barang rosak, saya nak pulangkan', 'ms'],
  ['Bila pesanan saya akan dihantar?', 'ms'],
  ['Nombor tracking saya apa ya?', 'ms'],
  ['Bila wang saya akan dibayar balik?', 'ms'],
  ['Saiz L masih ada tak?', 'ms'],
  ['Saya nak tukar alamat', 'ms'],
  ['Dah bayar tapi status belum berubah', 'ms'],
  ['Macam mana nak tukar saiz?', 'ms'],
  ['Terima kasih encik, dah terima barang', 'ms'],
  ['Posmen tak datang pun hari ni', 'ms'],
  ['Adakah boleh hantar ke Sabah?', 'ms'],
  ['Warna yang sampai salah lah', 'ms'],
  ['Ada diskaun untuk pembelian kedua?', 'ms'],
  ['Bungkusan saya hilang', 'ms'],
  ['Penghantaran percuma ke?', 'ms'],
  ['Saya tak boleh log masuk akaun', 'ms'],
  ['Kasut ni boleh tukar tak?', 'ms'],
];

export function accuracy(set: Array<[string, string]>, priorsOf: (lang: string) => { previous: string | null } & LanguagePriors) {
  const wrong: string[] = [];
  for (const [text, lang] of set) {
    const { previous, ...priors } = priorsOf(lang);
    const got = detectLanguage(text, previous, 'en', priors);
    if (got !== lang) wrong.push(`${text} → ${got} (want ${lang})`);
  }
  return { accuracy: 1 - wrong.length / set.length, wrong };
}

const COUNTRY: Record<string, string> = { pt: 'BR', es: 'MX', id: 'ID', ms: 'MY' };

describe.each([
  ['Portuguese vs Spanish', PT_ES],
  ['Indonesian vs Malay', ID_MS],
] as const)('%s on short messages', (_name, set) => {
  it('at least 30 labelled messages, both sides', () => {
    expect(set.length).toBeGreaterThanOrEqual(30);
    expect(new Set(set.map(([, l]) => l)).size).toBe(2);
  });

  it('≥ 90 % without any prior', () => {
    const r = accuracy(set, () => ({ previous: null }));
    expect(r.accuracy, r.wrong.join('\n')).toBeGreaterThanOrEqual(0.9);
  });

  it('≥ 90 % with the buyer history, the shop languages and the buyer country as priors', () => {
    for (const priors of [
      (l: string) => ({ previous: l }),
      (l: string) => ({ previous: null, shopLanguages: ['en', l] }),
      (l: string) => ({ previous: null, country: COUNTRY[l] }),
    ]) {
      const r = accuracy(set, priors);
      expect(r.accuracy, r.wrong.join('\n')).toBeGreaterThanOrEqual(0.9);
    }
  });

  it('priors never turn a clear message into the other language (a shop offering only the other side)', () => {
    const other = (l: string) => set.find(([, x]) => x !== l)![1];
    const r = accuracy(set, (l) => ({ previous: null, shopLanguages: [other(l)] }));
    expect(r.accuracy, r.wrong.join('\n')).toBeGreaterThanOrEqual(0.9);
  });
});

describe('exact cases from issue 18', () => {
  it.each([
    ['Posso devolver o produto?', 'pt'],
    ['Bisakah saya bayar dengan COD?', 'id'],
    ['Boleh saya tahu bila bungkusan saya akan sampai?', 'ms'],
    ['Saya nak pulangkan barang ni, boleh tak?', 'ms'],
    ['¿Puedo devolver el producto?', 'es'],
  ])('%s → %s', (text, lang) => expect(detectLanguage(text, null)).toBe(lang));

  it('Mexican colloquialisms are Spanish', () => {
    for (const text of [
      '¿dónde está mi paquete, güey?',
      'ahorita lo reviso',
      'qué onda con mi pedido',
      'neta no ha llegado',
      'chido, gracias',
    ])
      expect(detectLanguage(text, null), text).toBe('es');
  });

  it('ambiguous words follow the priors: the buyer history, then the shop, then the country', () => {
    // "pedido" and "reembolso" are both Portuguese and Spanish; "saya", "pesanan", "barang" both Indonesian and Malay.
    expect(detectLanguage('Reembolso do pedido?', null)).toBe('pt');
    expect(detectLanguage('pedido 4412 reembolso', 'pt')).toBe('pt');
    expect(detectLanguage('pedido 4412 reembolso', 'es')).toBe('es');
    expect(detectLanguage('pesanan saya', 'ms')).toBe('ms');
    expect(detectLanguage('pesanan saya', 'id')).toBe('id');
    expect(detectLanguage('pesanan saya', null, 'en', { shopLanguages: ['en', 'ms'] })).toBe('ms');
    expect(detectLanguage('pesanan saya', null, 'en', { country: 'MY' })).toBe('ms');
    expect(detectLanguage('pesanan saya', null, 'en', { country: 'ID' })).toBe('id');
  });
});

describe('Latin-American Spanish per buyer', () => {
  it("the buyer's country comes from the order, else a WhatsApp phone number's calling code", () => {
    expect(countryFromPhone('whatsapp', '5215512345678@s.whatsapp.net')).toBe('MX');
    expect(countryFromPhone('whatsapp-cloud', '573001234567')).toBe('CO');
    expect(countryFromPhone('whatsapp-cloud', '5491123456789')).toBe('AR');
    expect(countryFromPhone('whatsapp-cloud', '18095551234')).toBe('DO');
    expect(countryFromPhone('whatsapp-cloud', '12125551234')).toBeNull(); // +1 without a telling area code
    expect(countryFromPhone('whatsapp', '60123456789@s.whatsapp.net')).toBe('MY');
    expect(countryFromPhone('telegram', '5215512345678')).toBeNull();
    expect(buyerCountry({ channel: 'whatsapp-cloud', buyerId: '34612345678', country: 'mx' })).toBe('MX');
    expect(buyerCountry({ channel: 'whatsapp-cloud', buyerId: '34612345678' })).toBe('ES');
    expect(buyerCountry(null)).toBeNull();
  });

  it("selects the variant per buyer, over the shop's setting; other countries keep the shop's choice", () => {
    expect(buyerLocale('es', 'MX')).toBe('es-MX');
    expect(buyerLocale('es', 'CO')).toBe('es-CO');
    expect(buyerLocale('es-419', 'ES')).toBe('es');
    expect(buyerLocale('es-419', 'FR')).toBe('es-419');
    expect(buyerLocale('es', null)).toBe('es');
    expect(buyerLocale('pt', 'MX')).toBe('pt');
  });

  it('a Mexican WhatsApp buyer of a shop set to Spain Spanish is answered in Latin-American Spanish', async () => {
    const render = makeRenderReply();
    const base = {
      shopId: 'lang-shop',
      locale: 'es',
      requestedLanguage: 'es',
      request: { kind: 'system', message: 'silence_nudge' },
    } as const;
    const mx = await render({ ...base, buyer: { channel: 'whatsapp', buyerId: '5215512345678@s.whatsapp.net', country: null } });
    const spain = await render({ ...base, buyer: { channel: 'whatsapp', buyerId: '34612345678@s.whatsapp.net', country: null } });
    const shopOnly = await render(base);
    expect(mx).toMatchObject({ language: 'es-419', languageFallback: false, text: t('system.silence_nudge', 'es-419').text });
    expect(spain).toMatchObject({ language: 'es', text: t('system.silence_nudge', 'es').text });
    expect(shopOnly!.text).toBe(spain!.text);
    expect(mx!.text).not.toBe(spain!.text);
    // The order's destination wins over the phone number.
    const ordered = await render({ ...base, buyer: { channel: 'whatsapp', buyerId: '34612345678@s.whatsapp.net', country: 'AR' } });
    expect(ordered!.text).toBe(mx!.text);
  });

  it('Mexican buyers writing colloquially are detected as Spanish, and priors keep them there', () => {
    expect(detectLanguage('¿dónde está mi paquete, güey?', null, 'en', { country: 'MX' })).toBe('es');
    expect(detectLanguage('ahorita', 'es')).toBe('es');
    expect(detectLanguage('qué onda', null)).toBe('es');
  });
});

describe('priors and variants from the stored shop', () => {
  beforeAll(async () => {
    await useFreshDatabase('sora_langs');
    await ShopModel.create({ shopId: 'kl', name: 'KL shop', defaultLanguage: 'ms', languages: ['en', 'ms', 'zh'] });
    await ShopModel.create({ shopId: 'mad', name: 'Madrid shop', defaultLanguage: 'es', languages: ['es', 'en'], spanishVariant: 'es' });
  });
  afterAll(() => disconnectMongo());

  it("the shop's languages are a prior: a Malaysian shop reads an ambiguous message as Malay", async () => {
    const langs = await shopLanguages('kl');
    expect(langs).toEqual(['en', 'ms', 'zh']);
    expect(detectLanguage('pesanan saya 8812', null, 'en', { shopLanguages: langs })).toBe('ms');
    expect(detectLanguage('pesanan saya 8812', null, 'en', { shopLanguages: await shopLanguages('unknown-shop') })).toBe('id');
  });

  it('a shop set to Spain Spanish answers its Mexican WhatsApp buyer in Latin-American Spanish (compose)', async () => {
    const mx = await compose('mad', { kind: 'system', message: 'closed' }, 'es', {
      buyer: { channel: 'whatsapp', buyerId: '5215512345678@s.whatsapp.net' },
    });
    const es = await compose('mad', { kind: 'system', message: 'closed' }, 'es', {
      buyer: { channel: 'whatsapp', buyerId: '34612345678@s.whatsapp.net' },
    });
    expect(mx.text).toBe(t('system.closed', 'es-419').text);
    expect(es.text).toBe(t('system.closed', 'es').text);
    expect(mx.languageFallback).toBe(false);
  });
});
