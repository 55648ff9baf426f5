/**
 * Operator notifications (handoff, escalation to the next tier, handoff expired): recorded once
 * per scheduled activity, logged, and POSTed to SORA_ALERT_WEBHOOK_URL when set. A failing
 * webhook is recorded on the notification and does not fail the conversation.
 *
 * The recording and delivery is alertOperators() (models/operator-alerts.ts, re-exported here), the
 * same path for callers outside a workflow (channel adapters: a WhatsApp session logged out…) and
 * for the carrier key expiry and coupon pool alerts.
 */
import { Context, log } from '@temporalio/activity';
import { alertOperators, type NotifyInput } from '../../models/operator-alerts.js';

export { alertOperators, type CarrierKeyAlertInput, type ChannelAlertInput, type NotifyInput } from '../../models/operator-alerts.js';

export function makeNotifyOperators(alertWebhookUrl: string | undefined) {
  return async function notifyOperators(input: NotifyInput): Promise<{ key: string; delivered: boolean }> {
    const info = Context.current().info;
    const key = `${info.workflowExecution?.workflowId ?? input.workflowId}:${info.workflowExecution?.runId ?? ''}:${info.activityId}`;
    return alertOperators(key, input, alertWebhookUrl, log);
  };
}
