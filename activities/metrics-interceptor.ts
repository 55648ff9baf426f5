/**
 * Counts failed activity attempts in infra/metrics.ts (`sora_activity_failures_total{activity,error}`):
 * a worker interceptor beside retry-alert.ts, so every activity of every worker in the process is
 * covered without touching the activities. The error label is the failure's type (ApplicationFailure
 * type, else the error's class name), bounded by the code's own error types.
 */
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, ActivityInterceptorsFactory, Next } from '@temporalio/worker';
import { activityFailures, safely } from '../infra/metrics.js';

function errorType(e: unknown): string {
  if (e && typeof e === 'object') {
    const t = (e as { type?: unknown }).type;
    if (typeof t === 'string' && t) return t.slice(0, 64);
    const n = (e as { name?: unknown }).name;
    if (typeof n === 'string' && n) return n.slice(0, 64);
  }
  return 'Error';
}

export function activityMetricsInterceptor(): ActivityInterceptorsFactory {
  return (ctx) => {
    const inbound: ActivityInboundCallsInterceptor = {
      async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>) {
        try {
          return await next(input);
        } catch (e) {
          safely(() => activityFailures.inc({ activity: ctx.info.activityType, error: errorType(e) }));
          throw e;
        }
      },
    };
    return { inbound };
  };
}
