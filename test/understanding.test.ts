import { describe, expect, it } from 'vitest';
import { extractCountries, extractOrderNumbers, extractSkus, extractTrackingNumbers } from '../activities/understanding/entities.js';
import { asksForHuman, isComplaint } from '../activities/understanding/keywords.js';
import { detectLanguage } from '../activities/understanding/language.js';
import { LOCALES } from '../activities/catalog/languages.js';
import { systemMessage } from '../activities/catalog/system-messages.js';

describe('language detection', () => {
  it.each([
    ['Where is my parcel?', 'en'],
    ['我的包裹在哪里', 'zh'],
    ['¿Dónde está mi pedido?', 'es'],
    ['Où est ma commande ?', 'fr'],
    ['Cadê meu pedido?', 'pt'],
    ['พัสดุของฉันอยู่ที่ไหน', 'th'],
    ['Đơn hàng của tôi ở đâu', 'vi'],
    ['Pesanan saya di mana ya kak', 'id'],
    ['أين طلبي', 'ar'],
  ])('%s → %s', (text, lang) => expect(detectLanguage(text, null)).toBe(lang));
  it.each([
    ['Hello, my order?', 'en'],
    ['你好', 'zh'],
    ['Hola, mi pedido', 'es'],
    ['Bonjour, ma commande', 'fr'],
    ['Olá, meu pedido', 'pt'],
    ['สวัสดีค่ะ', 'th'],
    ['Xin chào', 'vi'],
    ['Halo kak, pesanan saya', 'id'],
    ['مرحبا', 'ar'],
  ])('short: %s → %s', (text, lang) => expect(detectLanguage(text, null)).toBe(lang));
  it('keeps the previous language for very short messages', () => {
    expect(detectLanguage('ok', 'th')).toBe('th');
    expect(detectLanguage('10', 'es')).toBe('es');
  });
});

describe('handoff keywords', () => {
  it.each([
    'I want to file a complaint',
    '我要投诉',
    '我要举报',
    '联系主管',
    'quiero poner una queja',
    'je vais porter plainte',
    'vou fazer uma reclamação',
    'ฉันจะร้องเรียน',
    'tôi muốn khiếu nại',
    'saya mau komplain',
    'saya nak buat aduan',
    'أريد تقديم شكوى',
    'let me talk to your supervisor',
  ])('complaint: %s', (t) => expect(isComplaint(t)).toBe(true));
  it.each(['Where is my order?', 'reporting is fine'])('not a complaint: %s', (t) => expect(isComplaint(t)).toBe(false));
  it.each([
    'can I talk to a human',
    '转人工',
    'quiero hablar con un humano',
    'je veux un conseiller',
    'quero falar com um atendente',
    'ขอคุยกับคน',
    'cho tôi gặp nhân viên',
    'saya mau bicara dengan orang',
    'boleh saya cakap dengan orang sebenar?',
    'أريد التحدث مع موظف',
  ])('human request: %s', (t) => expect(asksForHuman(t)).toBe(true));
});

describe('entities', () => {
  it('extracts order numbers', () => {
    expect(extractOrderNumbers('where is my order #1002?')).toEqual(['1002']);
    expect(extractOrderNumbers('pedido 1234 y pedido A-7788')).toEqual(['1234', 'A-7788']);
    expect(extractOrderNumbers('pesanan nombor 55021 belum sampai')).toEqual(['55021']);
    expect(extractOrderNumbers('pesanan nomor 55022 kapan dikirim')).toEqual(['55022']);
    expect(extractOrderNumbers('how long does shipping take')).toEqual([]);
  });
  it('extracts tracking numbers, SKUs and countries', () => {
    expect(extractTrackingNumbers('my parcel RR123456789CN is stuck')).toEqual(['RR123456789CN']);
    expect(extractTrackingNumbers('UPS 1Z999AA10123456784 not moving')).toEqual(['1Z999AA10123456784']);
    expect(extractTrackingNumbers('nombor penjejakan: MY8812345678 tak bergerak')).toEqual(['MY8812345678']);
    expect(extractTrackingNumbers('nomor resi: JX1234567890 belum update')).toEqual(['JX1234567890']);
    expect(extractTrackingNumbers('order 1234')).toEqual([]);
    expect(extractSkus('does TSHIRT-001 come in blue? and SNKR-220')).toEqual(['TSHIRT-001', 'SNKR-220']);
    expect(extractCountries('How long does shipping to Brazil take?')).toEqual(['BR']);
    expect(extractCountries('¿Envían a México?')).toEqual(['MX']);
    expect(extractCountries('寄到泰国要多久')).toEqual(['TH']);
    expect(extractCountries('ส่งไปประเทศไทยกี่วัน')).toEqual(['TH']);
    expect(extractCountries('ship to the USA')).toEqual(['US']);
    expect(extractCountries('where is my parcel')).toEqual([]);
  });
});

describe('system message catalogs', () => {
  it('has every message in all 9 languages plus es-419', () => {
    for (const lang of LOCALES) {
      for (const kind of ['not_understood', 'handoff_notice', 'silence_nudge', 'nps_question', 'closed'] as const) {
        const m = systemMessage(kind, lang);
        expect(m.language).toBe(lang);
        expect(m.text.length).toBeGreaterThan(5);
      }
    }
    expect(systemMessage('closed', 'xx').language).toBe('en');
  });
});
