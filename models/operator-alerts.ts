/**
 * Operator alerts: record a notification once under its key (NotificationModel), log it, and POST
 * it to SORA_ALERT_WEBHOOK_URL when one is set. A failing webhook is recorded on the notification
 * and does not fail the caller.
 *
 * One path for every caller: the notifyOperators activity (activities/conversations), carrier key
 * expiry alerts and coupon pool alerts (activities/), and channel adapters outside any workflow (a
 * WhatsApp session logged out, bots/whatsapp). It sits here, beside the model it writes, because
 * both bots/ and activities/ may import models/ while bots/ may not import activities/.
 */
import { NotificationModel } from './notification.js';
import { notificationText } from './notification-text.js';
import { ShopModel } from './shop.js';

export interface NotifyInput {
  workflowId: string;
  shopId: string;
  channel: string;
  buyerId: string;
  /** buyer_reply: the buyer wrote in a conversation an agent holds (for that agent, `agentId`). */
  kind: 'handoff' | 'escalation' | 'handoff_expired' | 'buyer_reply';
  tier: number;
  reason: string | null;
  /** The desk's routing (issue 16): the queue, who it is assigned to, since when the buyer waits (ISO). */
  queueId?: string | null;
  queueName?: string | null;
  assigneeId?: string | null;
  waitingSince?: string | null;
  /** For one agent (buyer_reply); absent = the shop's team. */
  agentId?: string | null;
}

/** The desk's ticket notifications (the ticket workflow emits them): for one agent, or the team. */
export interface TicketAlertInput {
  shopId: string;
  kind: 'ticket_assigned' | 'sla_breach_soon';
  ticketId: string;
  agentId: string | null;
  workflowId?: string | null;
  reason?: string | null;
  /** Overrides the generated line. */
  text?: string;
}

/** A channel-level alert: no conversation behind it. */
export interface ChannelAlertInput {
  shopId: string;
  channel: string;
  /**
   * channel_logged_out: a channel session ended; channel_token_*: a platform authorization (Lazada
   * refresh token) is about to expire / has expired; coupon_pool_*: the shop's coupon pool (activities/coupons).
   */
  kind: 'channel_logged_out' | 'channel_token_expiring' | 'channel_token_expired' | 'coupon_pool_low' | 'coupon_pool_empty';
  reason: string | null;
}

/** A shop's carrier API key is about to expire or has expired (activities/logistics/carrier-key-alerts.ts). */
export interface CarrierKeyAlertInput {
  shopId: string;
  carrier: string;
  kind: 'carrier_key_expiring' | 'carrier_key_expired';
  reason: string;
  /** ISO times: the expiry, and when the alert was due. */
  expiresAt: string;
  dueAt: string;
}

/**
 * An activity has been retrying for long (activities/retry-alert.ts): usually our own infrastructure
 * (MongoDB, the network) is down. The conversation waits and goes on once it is back.
 */
export interface ActivityRetryingAlertInput {
  workflowId: string;
  kind: 'activity_retrying';
  activityType: string;
  attempt: number;
  reason: string;
}

type AlertInput = NotifyInput | ChannelAlertInput | CarrierKeyAlertInput | ActivityRetryingAlertInput | TicketAlertInput;

/** The human line of an alert (notification-text.ts), times in the shop's time zone when it can be read. */
async function describe(input: AlertInput): Promise<string> {
  if ('text' in input && typeof input.text === 'string' && input.text) return input.text;
  let timeZone = 'UTC';
  const shopId = 'shopId' in input ? input.shopId : null;
  if (shopId) {
    const shop = await ShopModel.findOne({ shopId }, { timeZone: 1 })
      .lean()
      .catch(() => null);
    timeZone = shop?.timeZone ?? 'UTC';
  }
  const f = input as unknown as Record<string, unknown>;
  return notificationText(
    {
      ...(f as { kind: string }),
      since: (f.waitingSince as string | undefined) ?? (f.kind === 'handoff' ? new Date() : null),
    },
    timeZone,
  );
}

type Logger = {
  warn: (msg: string, fields: Record<string, unknown>) => void;
  error: (msg: string, fields: Record<string, unknown>) => void;
};

/** Record the notification under `key` (once), log it, and POST it to the alert webhook when one is set. */
export async function alertOperators(
  key: string,
  input: AlertInput,
  alertWebhookUrl: string | undefined,
  logger: Logger,
  /** true: the alert still goes out (log, webhook) when it cannot be recorded — the database may be what is down. */
  recordOptional = false,
): Promise<{ key: string; delivered: boolean }> {
  let recorded = true;
  const text = await describe(input);
  try {
    await NotificationModel.updateOne({ key }, { $setOnInsert: { key, ...input, text } }, { upsert: true });
  } catch (e) {
    if (!recordOptional) throw e;
    recorded = false;
    logger.error('operator notification not recorded (database unreachable); alerting anyway', { key, error: String(e) });
  }
  logger.warn(`operator notification: ${input.kind}`, { ...input, text });
  if (!alertWebhookUrl) return { key, delivered: false };
  try {
    const res = await fetch(alertWebhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      // `text`: what Slack and Teams incoming webhooks show.
      body: JSON.stringify({ key, ...input, text }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new Error(`alert webhook answered ${res.status}`);
    if (recorded) await NotificationModel.updateOne({ key }, { $set: { delivered: true, deliveryError: null } });
    return { key, delivered: true };
  } catch (e) {
    if (recorded) await NotificationModel.updateOne({ key }, { $set: { deliveryError: String(e) } }).catch(() => undefined);
    logger.error('alert webhook failed', { key, error: String(e) });
    return { key, delivered: false };
  }
}
