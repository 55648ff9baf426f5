/**
 * The normalized tracking event every carrier client produces and every reply consumes. Keep this
 * file small: it is the contract between the carrier clients and the reply templates.
 */
export const TRACKING_STATUSES = [
  'info_received',
  'in_transit',
  'customs_hold',
  'customs_cleared',
  'out_for_delivery',
  'delivered',
  'exception',
  'returned',
] as const;
export type TrackingStatus = (typeof TRACKING_STATUSES)[number];

export interface TrackingLocation {
  city?: string;
  /** ISO 3166-1 alpha-2. */
  country?: string;
  /** The carrier's own wording of the place, always present (may be ''). */
  text: string;
}

export interface TrackingEvent {
  /** ISO 8601 with offset, e.g. 2025-03-12T08:30:00-03:00 (the offset is the place's local time). */
  time: string;
  location: TrackingLocation;
  status: TrackingStatus;
  description: string;
}
