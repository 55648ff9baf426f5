/**
 * Keyword rules used by the handoff decision: complaint words and explicit requests for a human,
 * in every language of the list. Latin-script words match whole words (accents ignored); CJK, Thai and
 * Arabic match as substrings (no spaces between words there). Keyed by the language list
 * (activities/catalog/languages.ts): a language added there must get its words here.
 */
import type { Language } from '../catalog/languages.js';

const COMPLAINT: Record<Language, string[]> = {
  en: ['complaint', 'complain', 'report', 'supervisor', 'manager', 'escalate'],
  zh: ['投诉', '举报', '联系主管', '主管', '经理'],
  es: ['queja', 'quejarme', 'reclamo', 'reclamación', 'denuncia', 'denunciar', 'supervisor', 'gerente'],
  fr: ['plainte', 'réclamation', 'signaler', 'superviseur', 'responsable'],
  pt: ['reclamação', 'reclamar', 'denúncia', 'denunciar', 'supervisor', 'gerente'],
  th: ['ร้องเรียน', 'แจ้งความ', 'รายงาน', 'หัวหน้า', 'ผู้จัดการ'],
  vi: ['khiếu nại', 'tố cáo', 'báo cáo', 'quản lý', 'giám sát'],
  id: ['keluhan', 'komplain', 'mengeluh', 'lapor', 'laporkan', 'melaporkan', 'atasan', 'supervisor', 'manajer'],
  ms: ['aduan', 'mengadu', 'nak mengadu', 'buat aduan', 'komplen', 'penyelia', 'pengurus'],
  ar: ['شكوى', 'أشتكي', 'بلاغ', 'أبلغ', 'مشرف', 'المشرف', 'المدير'],
};

const HUMAN: Record<Language, string[]> = {
  en: [
    'human',
    'real person',
    'live agent',
    'agent',
    'representative',
    'talk to someone',
    'speak to someone',
    'operator',
    'customer service',
  ],
  zh: ['人工', '真人', '转人工', '客服人员', '人工客服'],
  es: ['humano', 'persona real', 'agente', 'asesor', 'hablar con alguien', 'operador'],
  fr: ['humain', 'vraie personne', 'conseiller', 'agent', 'parler à quelqu', 'opérateur'],
  pt: ['humano', 'pessoa real', 'atendente', 'falar com alguém', 'operador'],
  th: ['คุยกับคน', 'พนักงาน', 'เจ้าหน้าที่', 'ขอคุยกับคน'],
  vi: ['nhân viên', 'người thật', 'gặp người', 'tư vấn viên'],
  id: ['manusia', 'orang asli', 'agen', 'operator', 'cs manusia', 'bicara dengan orang'],
  ms: ['ejen', 'orang sebenar', 'wakil', 'khidmat pelanggan', 'cakap dengan orang', 'nak cakap dengan staf'],
  ar: ['موظف', 'إنسان', 'شخص حقيقي', 'وكيل', 'خدمة العملاء'],
};

const NON_SPACED = /[\u0E00-\u0E7F\u0600-\u06FF\u4E00-\u9FFF]/u;

function fold(s: string): string {
  return s
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .normalize('NFC');
}

function compile(table: Record<Language, string[]>): (text: string) => boolean {
  const words = Object.values(table).flat();
  const spaced = words.filter((w) => !NON_SPACED.test(w)).map(fold);
  const unspaced = words.filter((w) => NON_SPACED.test(w));
  const esc = (w: string) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`(?<![\\p{L}\\p{N}])(?:${spaced.map(esc).join('|')})(?![\\p{L}\\p{N}])`, 'u');
  return (text) => re.test(fold(text)) || unspaced.some((w) => text.includes(w));
}

export const isComplaint = compile(COMPLAINT);
export const asksForHuman = compile(HUMAN);
