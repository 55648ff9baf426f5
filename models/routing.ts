/**
 * Queues and routing rules of a shop (issue 16 item 2): where a handed-off conversation goes.
 *
 * A shop's routing is one document (`RoutingConfigModel`, edited with GET/PUT
 * /desk/api/shops/:shopId/routing): its queues, ordered rules (the first whose every condition holds
 * wins; none → the queue `general`, else the first queue) and how a queue assigns its conversations
 * ('least_busy' or 'round_robin', models/assignment.ts). A shop without a document has one queue,
 * `general`, and no rules. `parseRoutingConfig` validates the JSON form (errors name the field);
 * `evaluateRouting` is the pure rule evaluation.
 */
import { model, Schema } from 'mongoose';
import { z } from 'zod';

export const ASSIGNMENT_MODES = ['least_busy', 'round_robin'] as const;
export type AssignmentMode = (typeof ASSIGNMENT_MODES)[number];
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];
/** The same list as HandoffReason in workflows/types.ts (models import no layer above them). */
export const HANDOFF_REASONS = ['complaint', 'order_value', 'human_request', 'low_confidence', 'seller_takeover'] as const;
export const DEFAULT_QUEUE_ID = 'general';

export interface Queue {
  id: string;
  name: string;
  /** Where the conversation goes when its SLA tier escalates (the lifecycle's 'escalation'). */
  escalatesTo?: string;
  /** Only these agents take the queue's conversations; absent or empty = every agent of the shop. */
  agentIds?: string[];
}

export interface RuleConditions {
  /** The buyer's language (`es` also matches `es-419`). */
  languages?: string[];
  /** The buyer's country (ISO 3166-1 alpha-2): the order in focus, else the conversation's. */
  countries?: string[];
  /** The order in focus is worth at least this much (VIP). */
  minOrderValueUsd?: number;
  channels?: string[];
  /** true: only outside the shop's business hours; false: only inside. */
  outsideHours?: boolean;
  /** The handoff reason (complaint, order_value, human_request, low_confidence, seller_takeover). */
  reasons?: string[];
}

export interface RoutingRule {
  when: RuleConditions;
  queue: string;
  /** The conversation's priority in the desk (default normal). */
  priority?: Priority;
}

export interface RoutingConfig {
  assignment: AssignmentMode;
  queues: Queue[];
  rules: RoutingRule[];
}

/** What a handoff is routed by. */
export interface RoutingFacts {
  language: string | null;
  country: string | null;
  orderValueUsd: number | null;
  channel: string;
  reason: string | null;
  /** The shop is within its business hours. */
  open: boolean;
}

export const defaultRoutingConfig = (): RoutingConfig => ({
  assignment: 'least_busy',
  queues: [{ id: DEFAULT_QUEUE_ID, name: 'General' }],
  rules: [],
});

const baseLanguage = (l: string) => l.toLowerCase().split('-')[0]!;

function matches(when: RuleConditions, f: RoutingFacts): boolean {
  if (when.languages?.length) {
    if (!f.language) return false;
    const lang = f.language.toLowerCase();
    if (!when.languages.some((l) => l.toLowerCase() === lang || l.toLowerCase() === baseLanguage(lang))) return false;
  }
  if (when.countries?.length && !(f.country && when.countries.includes(f.country.toUpperCase()))) return false;
  if (when.minOrderValueUsd !== undefined && !(f.orderValueUsd !== null && f.orderValueUsd >= when.minOrderValueUsd)) return false;
  if (when.channels?.length && !when.channels.includes(f.channel)) return false;
  if (when.outsideHours !== undefined && when.outsideHours === f.open) return false;
  if (when.reasons?.length && !(f.reason && when.reasons.includes(f.reason))) return false;
  return true;
}

/** The default queue of a config: `general` when it has one, else its first queue. */
export const defaultQueue = (c: RoutingConfig): Queue => c.queues.find((q) => q.id === DEFAULT_QUEUE_ID) ?? c.queues[0]!;

/** The queue and priority for a handoff: the first rule that matches, else the default queue at normal priority. */
export function evaluateRouting(c: RoutingConfig, f: RoutingFacts): { queue: Queue; priority: Priority; rule: number | null } {
  for (const [i, rule] of c.rules.entries()) {
    if (!matches(rule.when, f)) continue;
    const queue = c.queues.find((q) => q.id === rule.queue);
    if (queue) return { queue, priority: rule.priority ?? 'normal', rule: i };
  }
  return { queue: defaultQueue(c), priority: 'normal', rule: null };
}

/** One step up the priority scale (an escalated conversation is more urgent). */
export const raisePriority = (p: Priority): Priority => PRIORITIES[Math.min(PRIORITIES.indexOf(p) + 1, PRIORITIES.length - 1)]!;

// ---- the JSON form (API) ------------------------------------------------------------------

const QUEUE_ID = /^[a-z0-9][a-z0-9_-]{0,39}$/;
const queueId = z.string().regex(QUEUE_ID, 'a queue id is 1-40 lowercase letters, digits, "-" or "_"');
const nonEmpty = <T extends z.ZodTypeAny>(t: T) => z.array(t).min(1, 'must not be empty (leave the condition out instead)').max(100);

const ruleSchema = z
  .object({
    when: z
      .object({
        languages: nonEmpty(z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})?$/, 'a language code such as "en" or "es-419"')).optional(),
        countries: nonEmpty(
          z
            .string()
            .regex(/^[A-Za-z]{2}$/, 'an ISO 3166-1 alpha-2 country code such as "TH"')
            .transform((s) => s.toUpperCase()),
        ).optional(),
        minOrderValueUsd: z.number().finite().nonnegative('must be 0 or more').optional(),
        channels: nonEmpty(z.string().regex(/^[a-z0-9-]{1,40}$/, 'a channel id such as "webchat" or "whatsapp-cloud"')).optional(),
        outsideHours: z.boolean().optional(),
        reasons: nonEmpty(z.enum(HANDOFF_REASONS)).optional(),
      })
      .strict(),
    queue: queueId,
    priority: z.enum(PRIORITIES).optional(),
  })
  .strict();

export const routingConfigSchema = z
  .object({
    assignment: z.enum(ASSIGNMENT_MODES).default('least_busy'),
    queues: z
      .array(
        z
          .object({
            id: queueId,
            name: z.string().trim().min(1, 'a queue needs a name').max(80),
            escalatesTo: queueId.optional(),
            agentIds: z.array(z.string().min(1).max(128)).max(500).optional(),
          })
          .strict(),
      )
      .min(1, 'a shop needs at least one queue')
      .max(50),
    rules: z.array(ruleSchema).max(200).default([]),
  })
  .strict()
  .superRefine((c, ctx) => {
    const ids = new Set<string>();
    c.queues.forEach((q, i) => {
      if (ids.has(q.id)) ctx.addIssue({ code: 'custom', path: ['queues', i, 'id'], message: `queue "${q.id}" is listed twice` });
      ids.add(q.id);
    });
    c.queues.forEach((q, i) => {
      if (q.escalatesTo === undefined) return;
      if (q.escalatesTo === q.id)
        ctx.addIssue({ code: 'custom', path: ['queues', i, 'escalatesTo'], message: 'a queue cannot escalate to itself' });
      else if (!ids.has(q.escalatesTo))
        ctx.addIssue({ code: 'custom', path: ['queues', i, 'escalatesTo'], message: `no queue "${q.escalatesTo}"` });
    });
    c.rules.forEach((r, i) => {
      if (!ids.has(r.queue)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'queue'], message: `no queue "${r.queue}"` });
    });
  });

export class RoutingConfigError extends Error {
  constructor(
    message: string,
    readonly details: Array<{ field: string; problem: string }>,
  ) {
    super(message);
  }
}

/** The JSON form checked; throws RoutingConfigError naming every bad field (`rules.2.queue: no queue "vip"`). */
export function parseRoutingConfig(input: unknown): RoutingConfig {
  const r = routingConfigSchema.safeParse(input ?? {});
  if (r.success) return r.data as RoutingConfig;
  const details = r.error.issues.map((i) => ({ field: i.path.join('.') || '(body)', problem: i.message }));
  throw new RoutingConfigError(details.map((d) => `${d.field}: ${d.problem}`).join('; '), details);
}

// ---- storage ------------------------------------------------------------------------------

const routingConfigSchemaDb = new Schema(
  {
    shopId: { type: String, required: true },
    /** The checked JSON form (parseRoutingConfig). */
    config: { type: Schema.Types.Mixed, required: true },
    updatedBy: { type: String, default: null },
  },
  { timestamps: true, collection: 'routing_configs', minimize: false },
);
routingConfigSchemaDb.index({ shopId: 1 }, { unique: true });
export const RoutingConfigModel = model('RoutingConfig', routingConfigSchemaDb);

/** Round robin's cursor per shop queue: the agent assigned last. */
const routingCursorSchema = new Schema(
  { _id: { type: String, required: true }, lastAgentId: { type: String, default: null } },
  { collection: 'routing_cursors', versionKey: false },
);
export const RoutingCursorModel = model('RoutingCursor', routingCursorSchema);

/** The shop's routing (the default one when it has none stored). */
export async function loadRoutingConfig(shopId: string): Promise<RoutingConfig> {
  const doc = await RoutingConfigModel.findOne({ shopId }).lean();
  if (!doc) return defaultRoutingConfig();
  try {
    return parseRoutingConfig(doc.config);
  } catch {
    return defaultRoutingConfig(); // stored before a stricter check: routing must not stop
  }
}

export async function saveRoutingConfig(shopId: string, input: unknown, updatedBy: string | null): Promise<RoutingConfig> {
  const config = parseRoutingConfig(input);
  await RoutingConfigModel.updateOne({ shopId }, { $set: { config, updatedBy } }, { upsert: true });
  return config;
}
