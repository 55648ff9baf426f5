/**
 * After each test file: terminate every workflow still running on the shared Temporal dev server.
 * Files run one after another against the same server and the same task queue; a conversation a
 * file leaves open would otherwise fire its timers (silence nudge, idle close) during a later file,
 * and that file's worker would run them against its own database.
 */
import { Client, Connection } from '@temporalio/client';
import { afterAll, inject } from 'vitest';

afterAll(async () => {
  const connection = await Connection.connect({ address: inject('temporalAddress') });
  try {
    const client = new Client({ connection });
    const running = client.workflow.list({ query: 'ExecutionStatus = "Running"' });
    const ends: Promise<unknown>[] = [];
    for await (const wf of running)
      ends.push(
        client.workflow
          .getHandle(wf.workflowId, wf.runId)
          .terminate('test file finished')
          .catch(() => undefined),
      );
    await Promise.all(ends);
  } finally {
    await connection.close();
  }
});
