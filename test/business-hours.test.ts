/** Business hours (models/business-hours.ts): parsing, open/closed, next opening, SLA business minutes, in the shop's time zone. */
import { describe, expect, it } from 'vitest';
import {
  addBusinessMinutes,
  BusinessHoursError,
  formatBusinessHours,
  isOpen,
  isTimeZone,
  nextOpening,
  parseBusinessHours,
} from '../models/business-hours.js';

const week = parseBusinessHours('mon-fri 09:00-18:00, sat 10:00-14:00');
const SG = 'Asia/Singapore'; // UTC+8, no DST

describe('business hours', () => {
  it('parses the written form and prints it back', () => {
    expect(week).toEqual([
      { days: [1, 2, 3, 4, 5], open: '09:00', close: '18:00' },
      { days: [6], open: '10:00', close: '14:00' },
    ]);
    expect(formatBusinessHours(week)).toBe('mon+tue+wed+thu+fri 09:00-18:00, sat 10:00-14:00');
    expect(parseBusinessHours('always')).toEqual([]);
    expect(parseBusinessHours('fri-mon 20:00-23:00')[0]!.days).toEqual([0, 1, 5, 6]);
    expect(() => parseBusinessHours('weekdays 9-5')).toThrow(BusinessHoursError);
    expect(() => parseBusinessHours('mon 18:00-09:00')).toThrow(/close \(09:00\) must be after open/);
    expect(() => parseBusinessHours('mon 25:00-26:00')).toThrow(/HH:MM/);
    expect(isTimeZone('Asia/Singapore')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });

  it('answers open or closed in the shop time zone', () => {
    // 2026-12-07 is a Monday. 01:30 UTC = 09:30 in Singapore.
    expect(isOpen(week, SG, new Date('2026-12-07T01:30:00Z'))).toBe(true);
    expect(isOpen(week, SG, new Date('2026-12-07T00:59:00Z'))).toBe(false);
    expect(isOpen(week, SG, new Date('2026-12-07T10:00:00Z'))).toBe(false); // 18:00 local: closed
    expect(isOpen(week, 'UTC', new Date('2026-12-07T01:30:00Z'))).toBe(false);
    expect(isOpen([], SG, new Date())).toBe(true);
  });

  it('finds the next opening across the night and the weekend', () => {
    // Friday 2026-12-11 19:00 SG → Saturday 10:00 SG (02:00 UTC).
    expect(nextOpening(week, SG, new Date('2026-12-11T11:00:00Z'))!.toISOString()).toBe('2026-12-12T02:00:00.000Z');
    // Saturday 15:00 SG → Monday 09:00 SG (01:00 UTC).
    expect(nextOpening(week, SG, new Date('2026-12-12T07:00:00Z'))!.toISOString()).toBe('2026-12-14T01:00:00.000Z');
    const open = new Date('2026-12-07T02:00:00Z');
    expect(nextOpening(week, SG, open)).toEqual(open);
  });

  it('adds business minutes for SLA due times, and follows a DST change', () => {
    // Monday 17:00 SG + 2 h of business time → Tuesday 10:00 SG.
    expect(addBusinessMinutes(week, SG, new Date('2026-12-07T09:00:00Z'), 120).toISOString()).toBe('2026-12-08T02:00:00.000Z');
    // Friday 17:00 SG + 8 h: 1 h Friday, 4 h Saturday, 3 h Monday → Monday 12:00 SG.
    expect(addBusinessMinutes(week, SG, new Date('2026-12-11T09:00:00Z'), 480).toISOString()).toBe('2026-12-14T04:00:00.000Z');
    expect(addBusinessMinutes([], SG, new Date('2026-12-07T00:00:00Z'), 90).toISOString()).toBe('2026-12-07T01:30:00.000Z');
    // Europe/Berlin leaves summer time on 2026-10-25: Friday 17:00 CEST (15:00 UTC) + 6 h: 1 h Friday, 4 h Saturday, 1 h Monday → Monday 10:00 CET (09:00 UTC).
    expect(addBusinessMinutes(week, 'Europe/Berlin', new Date('2026-10-23T15:00:00Z'), 360).toISOString()).toBe('2026-10-26T09:00:00.000Z');
  });
});
