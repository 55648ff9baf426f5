/**
 * Operator notifications (handoff, escalation to the next tier, handoff expired): recorded once
 * per scheduled activity, logged, and POSTed to SORA_ALERT_WEBHOOK_URL when set. A failing
 * webhook is recorded on the notification and does not fail the conversation.
 *
 * alertOperators() is the same path for callers outside a workflow (channel adapters: a WhatsApp
 * session logged out…) and for the carrier key expiry alerts.
 */
import { Context, log } from '@temporalio/activity';
import { NotificationModel } from '../../models/notification.js';

export interface NotifyInput {
  workflowId: string;
  shopId: string;
  channel: string;
  buyerId: string;
  kind: 'handoff' | 'escalation' | 'handoff_expired';
  tier: number;
  reason: string | null;
}

/** A channel-level alert: no conversation behind it. */
export interface ChannelAlertInput {
  shopId: string;
  channel: string;
  /** channel_logged_out: a channel session ended; coupon_pool_*: the shop's coupon pool (activities/coupons). */
  kind: 'channel_logged_out' | 'coupon_pool_low' | 'coupon_pool_empty';
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

type Logger = {
  warn: (msg: string, fields: Record<string, unknown>) => void;
  error: (msg: string, fields: Record<string, unknown>) => void;
};

/** Record the notification under `key` (once), log it, and POST it to the alert webhook when one is set. */
export async function alertOperators(
  key: string,
  input: NotifyInput | ChannelAlertInput | CarrierKeyAlertInput,
  alertWebhookUrl: string | undefined,
  logger: Logger,
): Promise<{ key: string; delivered: boolean }> {
  await NotificationModel.updateOne({ key }, { $setOnInsert: { key, ...input } }, { upsert: true });
  logger.warn(`operator notification: ${input.kind}`, { ...input });
  if (!alertWebhookUrl) return { key, delivered: false };
  try {
    const res = await fetch(alertWebhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify({ key, ...input }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new Error(`alert webhook answered ${res.status}`);
    await NotificationModel.updateOne({ key }, { $set: { delivered: true, deliveryError: null } });
    return { key, delivered: true };
  } catch (e) {
    await NotificationModel.updateOne({ key }, { $set: { deliveryError: String(e) } });
    logger.error('alert webhook failed', { key, error: String(e) });
    return { key, delivered: false };
  }
}

export function makeNotifyOperators(alertWebhookUrl: string | undefined) {
  return async function notifyOperators(input: NotifyInput): Promise<{ key: string; delivered: boolean }> {
    const info = Context.current().info;
    const key = `${info.workflowExecution?.workflowId ?? input.workflowId}:${info.workflowExecution?.runId ?? ''}:${info.activityId}`;
    return alertOperators(key, input, alertWebhookUrl, log);
  };
}
