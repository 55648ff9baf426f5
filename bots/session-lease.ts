/**
 * The sessions a process-bound adapter holds in this process (one Baileys socket per shop), recorded
 * in MongoDB with the task queue on which this process serves their sends
 * (models/channel-session.ts), renewed every third of the lease, removed on stop. A process that
 * dies stops renewing: once its lease has run out, the conversation workflow no longer sends there.
 */
import { holdChannelSession, releaseChannelSession } from '../models/channel-session.js';
import { processIdentity } from '../infra/process-identity.js';
import type { ChannelId } from './channel.js';

type Log = (msg: string, fields?: Record<string, unknown>) => void;

export const DEFAULT_SESSION_LEASE_MS = 30_000;

export class SessionLeases {
  private readonly shops = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private readonly holder = processIdentity();

  constructor(private readonly o: { channel: ChannelId; taskQueue: string; log: Log; leaseMs?: number }) {}

  private get leaseMs(): number {
    return this.o.leaseMs ?? DEFAULT_SESSION_LEASE_MS;
  }

  /** Record that this process holds `shopId`'s session (and keep renewing it). */
  async hold(shopId: string): Promise<void> {
    this.shops.add(shopId);
    await this.renew(shopId);
    this.timer ??= setInterval(() => void this.renewAll(), Math.max(100, Math.floor(this.leaseMs / 3))).unref();
  }

  /** Stop renewing and remove this process's records. */
  async releaseAll(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const shops = [...this.shops];
    this.shops.clear();
    await Promise.all(
      shops.map((shopId) =>
        releaseChannelSession({ channel: this.o.channel, shopId, taskQueue: this.o.taskQueue }).catch((e) =>
          this.o.log(`${this.o.channel}: removing the session record failed (its lease runs out by itself)`, {
            shop: shopId,
            error: String(e),
          }),
        ),
      ),
    );
  }

  private async renewAll(): Promise<void> {
    for (const shopId of this.shops) await this.renew(shopId);
  }

  private async renew(shopId: string): Promise<void> {
    const fields = { shop: shopId, taskQueue: this.o.taskQueue };
    try {
      const { previous } = await holdChannelSession(
        { channel: this.o.channel, shopId, taskQueue: this.o.taskQueue, holder: this.holder },
        this.leaseMs,
      );
      if (previous)
        this.o.log(`${this.o.channel}: another process held this shop's session until now; its sends now come here`, {
          ...fields,
          previous,
          hint: 'run each shop in one process only',
        });
    } catch (e) {
      this.o.log(`${this.o.channel}: recording the session holder failed; retrying`, { ...fields, error: String(e) });
    }
  }
}
