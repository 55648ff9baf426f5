/**
 * The last known state of each tracked parcel, per shop: written by the `trackParcel` activity after
 * every successful lookup (activities/logistics/activity.ts), read by the desk's buyer sidebar. The
 * workflow history keeps the full result the answer was made from; this is the newest fact only.
 */
import { model, Schema } from 'mongoose';

const parcelStatusSchema = new Schema(
  {
    shopId: { type: String, required: true },
    trackingNumber: { type: String, required: true },
    carrier: { type: String, required: true },
    status: { type: String, required: true },
    /** The newest event: its time (ISO with the place's offset), place and the carrier's text. */
    lastEvent: {
      type: new Schema({ time: String, place: String, description: String, status: String }, { _id: false }),
      default: null,
    },
    /** Where the answer came from: the carrier's API or the aggregator. */
    source: { type: String, default: null },
    checkedAt: { type: Date, required: true },
  },
  { versionKey: false },
);
parcelStatusSchema.index({ shopId: 1, trackingNumber: 1 }, { unique: true });

export const ParcelStatusModel = model('ParcelStatus', parcelStatusSchema);

export interface ParcelFact {
  carrier: string;
  trackingNumber: string;
  status: string;
  source?: string;
  events: Array<{
    time: string;
    status: string;
    description: string;
    location?: { text?: string; city?: string; country?: string } | null;
  }>;
}

/** Record a tracking result (newest event first in `events`); best effort for the caller. */
export async function recordParcelStatus(shopId: string, r: ParcelFact, at = new Date()): Promise<void> {
  const e = r.events[0];
  const place = e?.location ? e.location.text || [e.location.city, e.location.country].filter(Boolean).join(', ') : '';
  await ParcelStatusModel.updateOne(
    { shopId, trackingNumber: r.trackingNumber },
    {
      $set: {
        carrier: r.carrier,
        status: r.status,
        source: r.source ?? null,
        lastEvent: e ? { time: e.time, place: place || null, description: e.description, status: e.status } : null,
        checkedAt: at,
      },
    },
    { upsert: true },
  );
}
