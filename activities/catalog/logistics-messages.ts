/**
 * Parcel tracking and customs messages: the `logistics.*` keys of the locale catalogs
 * (`locales/<locale>.json`), formatted with t() by activities/logistics/tracking-replies.ts.
 * Written to read naturally but NOT reviewed by native speakers yet.
 */
import { TRACKING_STATUSES, type TrackingStatus } from '../logistics/tracking-types.js';
import { LOCALES } from './languages.js';
import { messagePattern } from './t.js';

/** The ICU source of the logistics messages of one locale (fields ↔ `logistics.<snake_case>` keys). */
export interface LogisticsCatalog {
  customsHold: string;
  customsTypical: string;
  customsOverdue: string;
  customsDuties: string;
  customsDutiesAmount: string;
  customsNext: string;
  customsCleared: string;
  tracking: string;
  trackingNoDescription: string;
  unknownPlace: string;
  /** Added when the carrier's own API could not be used (its key expired) and 17TRACK answered. */
  viaAggregator: string;
  status: Record<TrackingStatus, string>;
}

function view(locale: string): LogisticsCatalog {
  const p = (k: Parameters<typeof messagePattern>[0]) => messagePattern(k, locale);
  return {
    customsHold: p('logistics.customs_hold'),
    customsTypical: p('logistics.customs_typical'),
    customsOverdue: p('logistics.customs_overdue'),
    customsDuties: p('logistics.customs_duties'),
    customsDutiesAmount: p('logistics.customs_duties_amount'),
    customsNext: p('logistics.customs_next'),
    customsCleared: p('logistics.customs_cleared'),
    tracking: p('logistics.tracking'),
    trackingNoDescription: p('logistics.tracking_no_description'),
    unknownPlace: p('logistics.unknown_place'),
    viaAggregator: p('logistics.via_aggregator'),
    status: Object.fromEntries(TRACKING_STATUSES.map((s) => [s, p(`logistics.status.${s}`)])) as Record<TrackingStatus, string>,
  };
}

/**
 * @deprecated Read-only view of the catalogs per locale (ICU sources; `es-419` completed from `es`),
 * kept for code written before t(). New code: `t('logistics.…', locale, values)`.
 */
export const LOGISTICS_CATALOGS: Record<string, LogisticsCatalog> = Object.fromEntries(LOCALES.map((l) => [l, view(l)]));
