/**
 * Daily rollups of the service events (issue 17): one document per (shop, day in the shop's time
 * zone, channel, language, intent), counters bumped with `$inc` upserts as events are written, so a
 * report over a month reads at most a few thousand small documents and never the messages.
 * Root causes are counted under `rc.<cause>` (the cause's dot written as `~`), and by country and
 * carrier under `rcCountry.<CC>.<cause>` / `rcCarrier.<carrier>.<cause>`.
 */
import { model, Schema } from 'mongoose';

const dailyRollupSchema = new Schema(
  {
    shopId: { type: String, required: true },
    /** YYYY-MM-DD in the shop's time zone. */
    day: { type: String, required: true },
    channel: { type: String, required: true },
    language: { type: String, required: true },
    intent: { type: String, required: true },
    c: { type: Schema.Types.Mixed, default: {} },
    /** Synthetic demo data (scripts/demo/demo-month.ts); absent on real data. */
    demo: { type: Boolean, default: undefined },
  },
  { versionKey: false, minimize: false },
);
dailyRollupSchema.index({ shopId: 1, day: 1, channel: 1, language: 1, intent: 1 }, { unique: true });

export const DailyRollupModel = model('DailyRollup', dailyRollupSchema);

export interface RollupKey {
  shopId: string;
  day: string;
  channel: string;
  language: string | null;
  intent: string | null;
}

/** A field name for a value that may contain dots or dollars. */
export const fieldSafe = (s: string): string => s.replace(/\./g, '~').replace(/\$/g, '_');
export const unsafeField = (s: string): string => s.replace(/~/g, '.');

/** Add to counters (names relative to `c`, e.g. "closed" or "nps.9"). */
export async function bumpRollup(k: RollupKey, counters: Record<string, number>): Promise<void> {
  const inc: Record<string, number> = {};
  for (const [name, n] of Object.entries(counters)) if (n) inc[`c.${name}`] = n;
  if (!Object.keys(inc).length) return;
  await DailyRollupModel.updateOne(
    { shopId: k.shopId, day: k.day, channel: k.channel, language: k.language ?? 'unknown', intent: k.intent ?? 'none' },
    { $inc: inc },
    { upsert: true },
  );
}

/** The day (YYYY-MM-DD) of an instant in a time zone (UTC when the zone is unknown). */
export function dayIn(at: Date, timeZone: string | null | undefined): string {
  try {
    return new Intl.DateTimeFormat('en-CA', { timeZone: timeZone || 'UTC', year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
  } catch {
    return at.toISOString().slice(0, 10);
  }
}

/**
 * Many bumps in one round trip (the demo month's seeding, scripts/demo/demo-month.ts): the same
 * `$inc` upserts as bumpRollup; `demo` marks the rows as synthetic.
 */
export async function bumpRollups(bumps: Array<{ key: RollupKey; counters: Record<string, number> }>, o: { demo?: boolean } = {}): Promise<void> {
  const ops = [];
  for (const { key: k, counters } of bumps) {
    const inc: Record<string, number> = {};
    for (const [name, n] of Object.entries(counters)) if (n) inc[`c.${name}`] = n;
    if (!Object.keys(inc).length) continue;
    ops.push({
      updateOne: {
        filter: { shopId: k.shopId, day: k.day, channel: k.channel, language: k.language ?? 'unknown', intent: k.intent ?? 'none' },
        update: { $inc: inc, ...(o.demo ? { $set: { demo: true } } : {}) },
        upsert: true,
      },
    });
  }
  for (let i = 0; i < ops.length; i += 1000) await DailyRollupModel.bulkWrite(ops.slice(i, i + 1000), { ordered: false });
}
