// Small formatting helpers shared by the desk's views.
export function ago(at) {
  if (!at) return '';
  const s = Math.max(0, Math.round((Date.now() - new Date(at).getTime()) / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d`;
}

export function clock(at) {
  if (!at) return '';
  const d = new Date(at);
  const today = new Date().toDateString() === d.toDateString();
  return today
    ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
    : d.toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

export const money = (v, currency = 'USD') =>
  v === null || v === undefined ? '—' : new Intl.NumberFormat('en', { style: 'currency', currency }).format(v);

export const STATUS_LABEL = {
  bot: 'Bot',
  waiting_agent: 'Waiting',
  agent: 'With agent',
  follow_up: 'Follow-up',
  closed: 'Closed',
};

export const CHANNEL_LABEL = {
  webchat: 'Web chat',
  whatsapp: 'WhatsApp',
  'whatsapp-cloud': 'WhatsApp',
  telegram: 'Telegram',
  tiktok: 'TikTok',
  botframework: 'Teams',
};

/** Initials for an avatar. */
export const initials = (s) =>
  String(s || '?')
    .replace(/^anon-/, '')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 2)
    .toUpperCase();
