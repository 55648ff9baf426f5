import type { TrackingClientId } from '../carriers.js';
import type { HttpOptions } from '../http.js';
import type { TrackingResult } from '../tracking.js';

/** What the caller already knows about the number. */
export interface TrackContext {
  /** Registry id of the carrier the number belongs to (goes into TrackingResult.carrier). */
  carrier: string;
  /** 17TRACK carrier key, when known. */
  aggregatorCode?: number;
}

export interface TrackingClient {
  readonly id: TrackingClientId;
  track(trackingNumber: string, ctx: TrackContext): Promise<TrackingResult>;
}

export interface ClientOptions extends HttpOptions {
  /** Defaults to the carrier's production host. */
  baseUrl?: string;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}
