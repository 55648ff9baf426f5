/**
 * Conversations on the time-skipping test server: the real conversation workflow and activities on
 * `taskQueues.conversations`, with the channels of `registry`, and an Intake that signals them the
 * way the gateway does. The workflow suites (lifecycle, workflow, order privacy) start one each.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities/index.js';
import type { OrderSource } from '../../activities/commerce/orders/source.js';
import { Intake } from '../../bots/intake.js';
import type { ChannelRegistry } from '../../bots/registry.js';
import { paths } from '../../infra/paths.js';
import { workflowBundle } from '../../scripts/worker.js';
import { taskQueues } from '../../temporal.config.js';
import type { ConversationConfig } from '../../workflows/types.js';

export interface TimeSkippingConversations {
  env: TestWorkflowEnvironment;
  intake: Intake;
  stop(): Promise<void>;
}

export async function startTimeSkippingConversations(o: {
  registry: ChannelRegistry;
  config: ConversationConfig;
  /** The demo carrier's URL (17TRACK API shape), when parcels are tracked. */
  carrierUrl?: string;
  /** Platforms the buyer's orders are synced from (e.g. a TikTok order source on test/fakes/tiktok-partner.ts); default: those of the configuration. */
  orderSources?: OrderSource[];
}): Promise<TimeSkippingConversations> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: paths.temporalTestServerBin } },
  });
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: taskQueues.conversations,
    workflowBundle: await workflowBundle(),
    activities: createActivities({
      registry: o.registry,
      // Rule-opened tickets start their workflow on this server.
      temporalClient: env.client,
      ...(o.orderSources ? { orderSources: o.orderSources } : {}),
      ...(o.carrierUrl ? { carrierCredentials: { seventeenTrack: { apiKey: 'demo', baseUrl: o.carrierUrl } } } : {}),
    }),
  });
  const running = worker.run();
  const intake = new Intake({
    client: env.client,
    connection: env.connection,
    conversationConfig: o.config,
    signalDeadlineMs: 10_000,
    log: () => {},
  });
  return {
    env,
    intake,
    async stop() {
      worker.shutdown();
      await running;
      await env.teardown();
    },
  };
}
