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
 * Many bumps at once (the demo month's seeding, scripts/demo/demo-month.ts): the same counters as
 * bumpRollup. `fresh`: the rows are new (days without any row yet): inserted as the documents the
 * `$inc` upserts would make, in one round trip; a row that exists after all is bumped instead.
 * `demo` marks the rows as synthetic.
 */
export async function bumpRollups(
  bumps: Array<{ key: RollupKey; counters: Record<string, number> }>,
  o: { demo?: boolean; fresh?: boolean } = {},
): Promise<void> {
  const rows = bumps.map(({ key: k, counters }) => {
    const inc: Record<string, number> = {};
    for (const [name, n] of Object.entries(counters)) if (n) inc[`c.${name}`] = n;
    const filter = { shopId: k.shopId, day: k.day, channel: k.channel, language: k.language ?? 'unknown', intent: k.intent ?? 'none' };
    return { filter, inc };
  });
  let todo = rows.filter((r) => Object.keys(r.inc).length);
  if (o.fresh && todo.length) {
    const docs = todo.map(({ filter, inc }) => ({ ...filter, c: nested(inc).c ?? {}, ...(o.demo ? { demo: true } : {}) }));
    const failed = new Set<number>();
    try {
      await DailyRollupModel.insertMany(docs, { ordered: false, lean: true });
    } catch (e) {
      const errs = (e as { writeErrors?: Array<{ index?: number; code?: number; err?: { index?: number; code?: number } }> }).writeErrors;
      if (!errs?.length || errs.some((w) => (w.code ?? w.err?.code) !== 11000)) throw e;
      for (const w of errs) failed.add(w.index ?? w.err?.index ?? -1);
    }
    todo = todo.filter((_, i) => failed.has(i));
  }
  const ops = todo.map(({ filter, inc }) => ({
    updateOne: { filter, update: { $inc: inc, ...(o.demo ? { $set: { demo: true } } : {}) }, upsert: true },
  }));
  for (let i = 0; i < ops.length; i += 1000) await DailyRollupModel.bulkWrite(ops.slice(i, i + 1000), { ordered: false });
}

/** {"c.nps.9": 1} → {c: {nps: {9: 1}}}. */
function nested(flat: Record<string, number>): Record<string, Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [path, v] of Object.entries(flat)) {
    const parts = path.split('.');
    let o = out;
    for (const p of parts.slice(0, -1)) o = (o[p] ??= {}) as Record<string, unknown>;
    o[parts.at(-1)!] = v;
  }
  return out as Record<string, Record<string, unknown>>;
}
