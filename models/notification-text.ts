/**
 * The one line a person reads for each notification (the desk's list, Slack/Teams incoming
 * webhooks' `text`): what happened, where, and what to do. Times are in the shop's time zone.
 * Buyer ids are shortened (the first characters and "…"): enough to recognise, not a contact list.
 */
export interface NotificationFacts {
  kind: string;
  shopId?: string | null;
  channel?: string | null;
  buyerId?: string | null;
  tier?: number | null;
  reason?: string | null;
  queueName?: string | null;
  assigneeId?: string | null;
  agentId?: string | null;
  ticketId?: string | null;
  carrier?: string | null;
  expiresAt?: string | Date | null;
  activityType?: string | null;
  attempt?: number | null;
  /** When the buyer started waiting (handoff) or the notification's moment. */
  since?: string | Date | null;
}

const CHANNEL_NAMES: Record<string, string> = {
  webchat: 'web chat',
  whatsapp: 'WhatsApp',
  'whatsapp-cloud': 'WhatsApp',
  telegram: 'Telegram',
  tiktok: 'TikTok Shop',
  botframework: 'Teams',
  lazada: 'Lazada Chat',
};

const REASONS: Record<string, string> = {
  complaint: 'is unhappy',
  order_value: 'has a high-value order',
  human_request: 'asks for a human',
  low_confidence: 'was not understood by the bot',
  seller_takeover: 'was taken over in the platform inbox',
};

export const shortBuyer = (id: string | null | undefined): string =>
  !id ? 'a buyer' : id.length <= 6 ? `buyer ${id}` : `buyer ${id.slice(0, 4)}…`;

function clock(t: string | Date | null | undefined, timeZone: string): string | null {
  if (!t) return null;
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return null;
  try {
    return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d);
  } catch {
    return new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d) + ' UTC';
  }
}

/** "Handoff: buyer 6581… on WhatsApp (demo) asks for a human — queue VIP, waiting since 10:02". */
export function notificationText(f: NotificationFacts, timeZone = 'UTC'): string {
  const where = `${f.channel ? `on ${CHANNEL_NAMES[f.channel] ?? f.channel} ` : ''}(${f.shopId ?? 'all shops'})`;
  const who = shortBuyer(f.buyerId);
  const since = clock(f.since, timeZone);
  const queue = [
    f.queueName ? `queue ${f.queueName}` : null,
    f.assigneeId ? `assigned to ${f.assigneeId}` : null,
    since ? `waiting since ${since}` : null,
  ]
    .filter(Boolean)
    .join(', ');
  const tail = queue ? ` — ${queue}` : '';
  const why = f.reason ? (REASONS[f.reason] ?? `(${f.reason})`) : 'asks for a human';
  switch (f.kind) {
    case 'handoff':
      return `Handoff: ${who} ${where} ${why}${tail}`;
    case 'escalation':
      return `Escalation (tier ${f.tier ?? '?'}): ${who} ${where} is still waiting for a human${tail}`;
    case 'handoff_expired':
      return `Nobody took the handoff of ${who} ${where}: a reply is owed in the conversation (follow-up)${tail}`;
    case 'buyer_reply':
      return `${who[0]!.toUpperCase()}${who.slice(1)} replied ${where} in the conversation ${f.agentId ? `${f.agentId} holds` : 'you hold'}`;
    case 'ticket_assigned':
      return `Ticket ${f.ticketId ?? ''} (${f.shopId ?? ''}) assigned to ${f.agentId ?? 'you'}${f.reason ? `: ${f.reason}` : ''}`.replace(
        '  ',
        ' ',
      );
    case 'sla_breach_soon':
      return `Ticket ${f.ticketId ?? ''} (${f.shopId ?? ''}) is about to breach its SLA${f.reason ? `: ${f.reason}` : ''}`.replace(
        '  ',
        ' ',
      );
    case 'channel_logged_out':
      return `Channel ${CHANNEL_NAMES[f.channel ?? ''] ?? f.channel} of ${f.shopId} was logged out${f.reason ? ` (${f.reason})` : ''}: connect it again`;
    case 'channel_token_expiring':
      return `The ${CHANNEL_NAMES[f.channel ?? ''] ?? f.channel} authorization of ${f.shopId} expires soon${f.reason ? ` (${f.reason})` : ''}: authorize the app again`;
    case 'channel_token_expired':
      return `The ${CHANNEL_NAMES[f.channel ?? ''] ?? f.channel} authorization of ${f.shopId} has expired${f.reason ? ` (${f.reason})` : ''}: authorize the app again`;
    case 'coupon_pool_low':
      return `The coupon pool of ${f.shopId} is running low${f.reason ? ` (${f.reason})` : ''}: generate more with sora coupons generate`;
    case 'coupon_pool_empty':
      return `The coupon pool of ${f.shopId} is empty: nudges go out without a coupon until you add some`;
    case 'carrier_key_expiring':
      return `The ${f.carrier} API key of ${f.shopId} expires ${f.expiresAt ? new Date(f.expiresAt).toISOString().slice(0, 16).replace('T', ' ') + ' UTC' : 'soon'}: renew it`;
    case 'carrier_key_expired':
      return `The ${f.carrier} API key of ${f.shopId} has expired: tracking falls back to the aggregator until it is renewed`;
    case 'activity_retrying':
      return `${f.activityType ?? 'An activity'} has been retrying (attempt ${f.attempt ?? '?'}): check MongoDB and the network${f.reason ? ` — ${f.reason}` : ''}`;
    default:
      return `${f.kind} ${where}${f.reason ? `: ${f.reason}` : ''}`;
  }
}
