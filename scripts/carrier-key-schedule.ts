/**
 * The Temporal Schedule that runs the carrier key audit (workflows/carrier-key-audit.ts) daily.
 * Created at app start, or brought up to date when it exists (cron, warning window, task queue
 * changed in the configuration): calling it any number of times leaves one schedule.
 */
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { carrierKeyAuditWorkflowType } from '../workflows/contract.js';
import { defaultKeySettings, type CarrierKeySettings } from '../activities/logistics/carrier-keys.js';
import { taskQueues } from '../temporal.config.js';
import type { CarrierKeyAuditInput } from '../workflows/carrier-key-audit.js';

export const CARRIER_KEY_AUDIT_SCHEDULE_ID = 'sora-carrier-key-audit';

export interface CarrierKeyScheduleOptions {
  /** Default settings.auditCron (SORA_CARRIER_KEY_AUDIT_CRON, 0 6 * * *). */
  cron?: string;
  /** Default settings.warnHours (SORA_CARRIER_KEY_WARN_HOURS, 72). */
  warnHours?: number;
  /** config.carriers.keys (default: the defaults). */
  settings?: CarrierKeySettings;
  /** config.temporal.taskQueue (default sora-conversations). */
  taskQueue?: string;
  scheduleId?: string;
}

export async function ensureCarrierKeyAuditSchedule(
  client: Client,
  opts: CarrierKeyScheduleOptions = {},
): Promise<{ scheduleId: string; outcome: 'created' | 'updated' }> {
  const settings = opts.settings ?? defaultKeySettings();
  const scheduleId = opts.scheduleId ?? CARRIER_KEY_AUDIT_SCHEDULE_ID;
  const input: CarrierKeyAuditInput = { warnHours: opts.warnHours ?? settings.warnHours };
  const spec = { cronExpressions: [opts.cron ?? settings.auditCron] };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: carrierKeyAuditWorkflowType,
    workflowId: scheduleId,
    taskQueue: opts.taskQueue ?? taskQueues.conversations,
    args: [input],
  };
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' };
  try {
    await client.schedule.create({ scheduleId, spec, action, policies });
    return { scheduleId, outcome: 'created' };
  } catch (e) {
    if (!(e instanceof ScheduleAlreadyRunning)) throw e;
  }
  await client.schedule.getHandle(scheduleId).update((prev) => ({
    ...prev,
    spec,
    action,
    policies: { ...prev.policies, ...policies },
  }));
  return { scheduleId, outcome: 'updated' };
}
