/**
 * The process's Prometheus metrics (prom-client): ONE registry per process, every metric defined
 * here. Code that counts something imports the metric from this module; the gateway serves the
 * registry on `GET /metrics` (bots/metrics-route.ts), refreshing the scrape-time gauges (channel
 * connection state, carrier key expiry) just before. Names and labels: README "Health and metrics".
 *
 * Labels are low-cardinality on purpose (channel, status, reason, activity type, carrier); the
 * gauges computed at scrape time carry a shop label, bounded by the shops configured.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry, prefix: 'sora_process_' });

const registers = [metricsRegistry];

export const inboundMessages = new Counter({
  name: 'sora_inbound_messages_total',
  help: 'Buyer messages recorded by the gateway (first delivery only; redeliveries are not counted), by channel.',
  labelNames: ['channel'] as const,
  registers,
});

export const outboundMessages = new Counter({
  name: 'sora_outbound_messages_total',
  help: 'Messages the send activity handed to a platform, by channel and status (sent | failed: one per failed attempt).',
  labelNames: ['channel', 'status'] as const,
  registers,
});

export const replyLatency = new Histogram({
  name: 'sora_reply_latency_seconds',
  help: "Time from the buyer's latest message reaching the gateway to the platform accepting the reply (bot, agent or system), by channel.",
  labelNames: ['channel'] as const,
  buckets: [0.25, 0.5, 1, 2, 3, 5, 8, 13, 21, 34, 60, 120, 300, 900, 3600],
  registers,
});

export const handoffs = new Counter({
  name: 'sora_handoffs_total',
  help: 'Conversations handed to a human (routed to a queue), by handoff reason.',
  labelNames: ['reason'] as const,
  registers,
});

export const questions = new Counter({
  name: 'sora_questions_total',
  help: 'Buyer messages the understanding step read, by result (matched | unmatched | human_request | complaint). Unmatched rate = unmatched / all.',
  labelNames: ['result'] as const,
  registers,
});

export const unmatchedQuestions = new Counter({
  name: 'sora_unmatched_questions_total',
  help: 'Questions no FAQ entry answered (logged for the seller, `sora kb missed`).',
  registers,
});

export const activityFailures = new Counter({
  name: 'sora_activity_failures_total',
  help: 'Failed activity attempts in this process, by activity type and error type (each retried attempt counts).',
  labelNames: ['activity', 'error'] as const,
  registers,
});

export const carrierRequests = new Histogram({
  name: 'sora_carrier_request_duration_seconds',
  help: 'Carrier API HTTP requests (each attempt), by carrier client and outcome (ok | client_error | rate_limited | server_error | network).',
  labelNames: ['carrier', 'outcome'] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 15, 30],
  registers,
});

export const carrierErrors = new Counter({
  name: 'sora_carrier_api_errors_total',
  help: 'Carrier API attempts that failed (429, 5xx, timeout or network), by carrier client and kind.',
  labelNames: ['carrier', 'kind'] as const,
  registers,
});

export const channelConnected = new Gauge({
  name: 'sora_channel_connected',
  help: "1 when the channel's connection in this process is up (webhook channels: started), 0 otherwise (WhatsApp: logged out, reconnecting…), by channel, shop and state.",
  labelNames: ['channel', 'shop', 'state'] as const,
  registers,
});

export const carrierKeyExpiry = new Gauge({
  name: 'sora_carrier_key_expiry_seconds',
  help: "Seconds until a shop's carrier credential expires (negative: expired), computed at scrape time.",
  labelNames: ['shop', 'carrier'] as const,
  registers,
});

/** A metric update must never break what it measures. */
export function safely(update: () => void): void {
  try {
    update();
  } catch {
    // ignore: a metrics bug is not a reason to fail a message
  }
}
