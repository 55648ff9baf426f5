import { model, Schema, type InferSchemaType } from 'mongoose';
import { isDuplicateKey } from './errors.js';

/**
 * Which process holds a channel's connection for a shop (a Baileys WhatsApp socket lives in one
 * process), and the task queue on which that process serves the sends. Written by the holder at
 * start and renewed while it runs (`leaseUntil`); removed when it stops. A lease that ran out (the
 * process died without removing it) is not used. See README "Scaling out workers".
 */
const channelSessionSchema = new Schema(
  {
    channel: { type: String, required: true },
    shopId: { type: String, required: true },
    /** The holder's own task queue (infra/process-identity.ts). */
    taskQueue: { type: String, required: true },
    /** The holder's identity, `pid@host`. */
    holder: { type: String, required: true },
    leaseUntil: { type: Date, required: true },
  },
  { timestamps: true, collection: 'channel_sessions' },
);
channelSessionSchema.index({ channel: 1, shopId: 1 }, { unique: true });

export type ChannelSession = InferSchemaType<typeof channelSessionSchema>;
export const ChannelSessionModel = model('ChannelSession', channelSessionSchema);

export interface SessionHolder {
  channel: string;
  shopId: string;
  taskQueue: string;
  holder: string;
}

/**
 * Record (or renew) that this process holds the session, for `leaseMs` from now. The newest holder
 * wins: the platform itself keeps one connection per linked device. Returns the previous holder
 * when it was another process whose lease had not run out (two processes hold the same shop).
 */
export async function holdChannelSession(h: SessionHolder, leaseMs: number): Promise<{ previous: string | null }> {
  const update = { $set: { taskQueue: h.taskQueue, holder: h.holder, leaseUntil: new Date(Date.now() + leaseMs) } };
  for (let attempt = 0; ; attempt++) {
    try {
      const before = await ChannelSessionModel.findOneAndUpdate({ channel: h.channel, shopId: h.shopId }, update, {
        upsert: true,
        returnDocument: 'before',
      }).lean();
      const other = before && before.taskQueue !== h.taskQueue && before.leaseUntil.getTime() > Date.now();
      return { previous: other ? before.holder : null };
    } catch (e) {
      // Two first claims at once: one upsert loses on the unique index; the next try updates.
      if (!isDuplicateKey(e) || attempt >= 2) throw e;
    }
  }
}

/** This process no longer holds the session (stopped): remove the record if it is still ours. */
export async function releaseChannelSession(h: Pick<SessionHolder, 'channel' | 'shopId' | 'taskQueue'>): Promise<void> {
  await ChannelSessionModel.deleteOne({ channel: h.channel, shopId: h.shopId, taskQueue: h.taskQueue });
}

/** The task queue of the process holding the shop's session, or null (nobody, or its lease ran out). */
export async function channelSessionQueue(channel: string, shopId: string): Promise<string | null> {
  const s = await ChannelSessionModel.findOne({ channel, shopId, leaseUntil: { $gt: new Date() } }, { taskQueue: 1 }).lean();
  return s?.taskQueue ?? null;
}
