/**
 * Activities retry infrastructure errors without a bound (workflows/conversation/run.ts), so a long
 * MongoDB or network outage never fails a conversation; this worker interceptor makes such an outage
 * visible. When an activity starts its `alertAfterAttempts`-th attempt (and every `repeatEvery`
 * attempts after that) it alerts the operators (models/operator-alerts.ts: logged, recorded when the
 * database answers, POSTed to SORA_ALERT_WEBHOOK_URL), then runs the attempt as usual.
 */
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, ActivityInterceptorsFactory, Next } from '@temporalio/worker';
import { alertOperators } from '../models/operator-alerts.js';

/** With the conversation retry policy (0.5 s doubling, capped at 30 s) the 8th attempt starts about 1 min after the first. */
export const RETRY_ALERT_AFTER_ATTEMPTS = 8;
/** Then once more every 20 attempts (about 10 min at the 30 s cap). */
export const RETRY_ALERT_REPEAT_EVERY = 20;

export interface RetryAlertOptions {
  alertWebhookUrl?: string;
  alertAfterAttempts?: number;
  repeatEvery?: number;
}

/** Whether the attempt `attempt` is one to alert on. */
export function alertsOnAttempt(attempt: number, after = RETRY_ALERT_AFTER_ATTEMPTS, every = RETRY_ALERT_REPEAT_EVERY): boolean {
  return attempt >= after && (attempt - after) % every === 0;
}

export function retryAlertInterceptor(opts: RetryAlertOptions = {}): ActivityInterceptorsFactory {
  const after = opts.alertAfterAttempts ?? RETRY_ALERT_AFTER_ATTEMPTS;
  const every = opts.repeatEvery ?? RETRY_ALERT_REPEAT_EVERY;
  return (ctx) => {
    const inbound: ActivityInboundCallsInterceptor = {
      async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>) {
        const { attempt, activityType, activityId, workflowExecution } = ctx.info;
        if (alertsOnAttempt(attempt, after, every)) {
          const workflowId = workflowExecution?.workflowId ?? '(none)';
          const alert = alertOperators(
            `activity_retrying:${workflowId}:${workflowExecution?.runId ?? ''}:${activityId}:${attempt}`,
            {
              workflowId,
              kind: 'activity_retrying',
              activityType,
              attempt,
              reason: `${activityType} has failed ${attempt - 1} times in a row and is still retrying (is MongoDB or the network down?)`,
            },
            opts.alertWebhookUrl,
            ctx.log,
            true,
          );
          // Never in the way of the attempt itself; the database may be what is down.
          alert.catch((e: unknown) => ctx.log.error('retry alert failed', { activityType, error: String(e) }));
        }
        return next(input);
      },
    };
    return { inbound };
  };
}
