import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGISTICS_CATALOGS } from '../activities/catalog/logistics-messages.js';
import { ConfigValidationError } from '../activities/config/structured-file.js';
import {
  BUILTIN_CUSTOMS_DELAYS,
  customsDelayFor,
  customsDelayTable,
  customsDelayTableForShop,
  loadCustomsDelaysFile,
} from '../activities/logistics/customs-delays.js';
import { answerCustomsHold, customsReply, trackingStatusReply } from '../activities/logistics/tracking-replies.js';
import { TRACKING_STATUSES, type TrackingEvent } from '../activities/logistics/tracking-types.js';
import { disconnectMongo } from '../models/connection.js';
import { ShopModel } from '../models/shop.js';
import { runConfigCommand } from '../scripts/cli/policies.js';
import { useFreshDatabase } from './setup/helpers.js';

/** Held in Curitiba at 23:30 local time (UTC−3), i.e. 02:30 UTC the next day. */
const HOLD: TrackingEvent = {
  time: '2025-03-12T23:30:00-03:00',
  location: { city: 'Curitiba', country: 'BR', text: 'CURITIBA - PR' },
  status: 'customs_hold',
  description: 'Objeto recebido pela unidade de fiscalização',
};
const SOON = new Date('2025-03-13T12:00:00Z');

describe('customs delay table', () => {
  it('covers the 14 markets, BR, AU, CA, SA, AE and a default, each with a note and an honest source', () => {
    for (const c of [
      'US',
      'UK',
      'ID',
      'TH',
      'VN',
      'MY',
      'PH',
      'SG',
      'MX',
      'ES',
      'FR',
      'DE',
      'IT',
      'JP',
      'BR',
      'AU',
      'CA',
      'SA',
      'AE',
      'default',
    ]) {
      const d = BUILTIN_CUSTOMS_DELAYS[c];
      expect(d, c).toBeDefined();
      expect(d!.typicalHours).toBeGreaterThan(0);
      expect(d!.note.length).toBeGreaterThan(10);
      if (d!.rangeHours) expect(d!.rangeHours[0] <= d!.typicalHours && d!.typicalHours <= d!.rangeHours[1], c).toBe(true);
      // Without a page the entry must say it is our estimate.
      if (!d!.source) expect(d!.quality, c).toBe('estimate');
    }
    expect(BUILTIN_CUSTOMS_DELAYS.BR!.typicalHours).toBe(72);
  });

  it('GB means UK; unknown countries use the default', () => {
    expect(customsDelayFor('gb').country).toBe('UK');
    expect(customsDelayFor('ZZ')).toMatchObject({ country: 'default', typicalHours: 48 });
  });
});

describe('customs-hold reply with the facts filled in', () => {
  it('English: place, local date and time, typical delay, expected release, DDU duties, next step', () => {
    const r = customsReply({ lastEvent: HOLD, language: 'en', duties: { payableByBuyer: true, amount: 'R$ 84,20' }, now: SOON });
    expect(r.text).toBe(
      'Your parcel has been held for customs clearance in Curitiba, Brazil since March 12, 2025 at 11:30 PM. ' +
        'Customs clearance in Brazil usually takes about 72 hours, so we expect it to be released around March 15, 2025. ' +
        'This is a DDU shipment: import duties and taxes of R$ 84,20 are payable by you before release, and the carrier will contact you to pay them. ' +
        'Once customs releases it, the carrier continues the delivery; you can keep following it with your tracking number.',
    );
    expect(r.facts).toEqual({ country: 'BR', typicalHours: 72, since: HOLD.time, expectedBy: '2025-03-16T02:30:00.000Z', overdue: false });
  });

  it('Spanish (Spain and Latin America)', () => {
    const es = customsReply({ lastEvent: HOLD, language: 'es', now: SOON }).text;
    expect(es).toContain('retenido en aduanas para su despacho en Curitiba, Brasil desde el 12 de marzo de 2025 a las 23:30');
    expect(es).toContain('suele tardar alrededor de 72 horas');
    expect(es).toContain('hacia el 15 de marzo de 2025');
    expect(es).not.toContain('DDU'); // duties are an optional fact
    const latam = customsReply({ lastEvent: HOLD, language: 'es-419', now: SOON }).text;
    expect(latam).toContain('la paquetería va a continuar con la entrega');
    expect(latam).not.toMatch(/\.\./);
  });

  it('Thai (Buddhist-era date) and Chinese', () => {
    const th = customsReply({ lastEvent: HOLD, language: 'th', duties: { payableByBuyer: true }, now: SOON }).text;
    expect(th).toContain('ที่ Curitiba, บราซิล ตั้งแต่ 12 มีนาคม 2568 เวลา 23:30');
    expect(th).toContain('ประมาณ 72 ชั่วโมง');
    expect(th).toContain('ราว 15 มีนาคม 2568');
    expect(th).toContain('DDU');
    const zh = customsReply({ lastEvent: HOLD, language: 'zh', now: SOON }).text;
    expect(zh).toContain('自2025年3月12日 23:30起在Curitiba, 巴西等待海关清关');
    expect(zh).toContain('约72小时');
  });

  it('every language fills every placeholder', () => {
    for (const language of Object.keys(LOGISTICS_CATALOGS)) {
      for (const now of [SOON, new Date('2025-04-01T00:00:00Z')]) {
        const r = customsReply({ lastEvent: HOLD, language, duties: { payableByBuyer: true, amount: '€12' }, now });
        expect(r.language).toBe(language);
        expect(r.text, language).not.toMatch(/\{\w+\}|undefined|NaN/);
        expect(r.text, language).toContain('Curitiba');
      }
    }
  });

  it('past the typical delay it says so instead of promising a date', () => {
    const r = customsReply({ lastEvent: HOLD, language: 'en', now: new Date('2025-03-20T00:00:00Z') });
    expect(r.facts.overdue).toBe(true);
    expect(r.text).toContain('That is longer than the usual 72 hours for Brazil');
    expect(r.text).not.toContain('expect it to be released');
  });

  it('long delays are given in days; the destination can differ from the event place', () => {
    const r = customsReply({
      country: 'ID',
      lastEvent: { ...HOLD, location: { text: 'SOEKARNO HATTA GATEWAY' } },
      language: 'id',
      now: SOON,
    });
    expect(r.text).toContain('di SOEKARNO HATTA GATEWAY sejak 12 Maret 2025');
    expect(r.text).toContain('di Indonesia biasanya memakan waktu sekitar 72 jam');
    const late = customsReply({
      country: 'PH',
      lastEvent: HOLD,
      language: 'en',
      table: { PH: { ...BUILTIN_CUSTOMS_DELAYS.PH!, typicalHours: 120 } },
      now: SOON,
    });
    expect(late.text).toContain('usually takes about 5 days');
  });

  it('customs cleared', () => {
    const r = customsReply({ lastEvent: { ...HOLD, status: 'customs_cleared' }, language: 'fr', now: SOON });
    expect(r.text).toBe('Bonne nouvelle : votre colis a été dédouané à Curitiba, Brésil le 12 mars 2025 et il est en route.');
  });
});

describe('general tracking-status reply', () => {
  it('every status in every language, with place and local time', () => {
    for (const language of Object.keys(LOGISTICS_CATALOGS)) {
      for (const status of TRACKING_STATUSES) {
        const r = trackingStatusReply({ event: { ...HOLD, status }, language });
        expect(r.text, `${language}/${status}`).toContain(LOGISTICS_CATALOGS[language]!.status[status]);
        expect(r.text).toContain('Curitiba');
        expect(r.text).not.toMatch(/\{\w+\}|undefined/);
      }
    }
  });

  it('without description or place', () => {
    const r = trackingStatusReply({
      event: { time: '2025-03-14T09:05:00+07:00', location: { text: '' }, status: 'out_for_delivery', description: '' },
      language: 'vi',
    });
    expect(r.text).toBe('Cập nhật mới nhất về bưu kiện: đang giao hàng (không rõ địa điểm, lúc 09:05 14 tháng 3, 2025).');
  });
});

describe('overriding the table: SORA_CUSTOMS_DELAYS_FILE and the shop', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sora-customs-'));
  const good = path.join(dir, 'delays.yaml');
  writeFileSync(
    good,
    'delays:\n  BR:\n    typicalHours: 120\n    note: Our carrier’s average in 2025\n    source: { title: Carrier report, url: "https://example.com/report" }\n  NZ:\n    typicalHours: 12\n',
  );

  it('a delays file (SORA_CUSTOMS_DELAYS_FILE) overrides entries and adds countries', () => {
    const table = customsDelayTable(good);
    expect(table.BR).toMatchObject({ typicalHours: 120, quality: 'seller', note: 'Our carrier’s average in 2025' });
    expect(table.NZ).toMatchObject({ typicalHours: 12, note: `Set by ${good}.` });
    expect(table.US).toEqual(BUILTIN_CUSTOMS_DELAYS.US);
    const r = customsReply({ lastEvent: HOLD, language: 'pt', table, now: SOON });
    expect(r.text).toContain('costuma levar cerca de 5 dias');
    expect(r.text).toContain('por volta de 17 de março de 2025');
  });

  it('a bad file is refused with file:line:col and path', () => {
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, 'delays:\n  BR:\n    typicalHours: -1\n  br:\n    typicalHours: 5\n  US:\n    typicalHour: 5\n');
    let err: ConfigValidationError | undefined;
    try {
      loadCustomsDelaysFile(bad);
    } catch (e) {
      err = e as ConfigValidationError;
    }
    expect(err).toBeInstanceOf(ConfigValidationError);
    expect(err!.message).toContain(`${bad}:3:19 delays.BR.typicalHours: must be > 0`);
    expect(err!.message).toContain(`${bad}:4:3 delays.br: keys are ISO 3166-1 alpha-2 codes in capitals (UK for GB)`);
    expect(err!.message).toContain(`${bad}:7:18 delays.US.typicalHour: unknown setting "typicalHour"`);
    expect(err!.message).toContain(`${bad}:6:3 delays.US.typicalHours: is required`);
    expect(runConfigCommand('customs', ['check', bad]).code).toBe(1);
    expect(runConfigCommand('customs', ['check', good])).toMatchObject({ code: 0 });
  });

  describe('the shop’s customsDelays', () => {
    beforeAll(() => useFreshDatabase('customs_replies_test'));
    afterAll(() => disconnectMongo());

    it('wins over the built-in table and is validated', async () => {
      await ShopModel.create({ shopId: 'acme', name: 'Acme', customsDelays: { delays: { BR: { typicalHours: 24 } } } });
      expect((await customsDelayTableForShop('acme')).BR!.typicalHours).toBe(24);
      const r = await answerCustomsHold({ shopId: 'acme', lastEvent: HOLD, language: 'en' });
      expect(r.facts.typicalHours).toBe(24);
      expect(r.text).toContain('24 hours');
      await ShopModel.updateOne({ shopId: 'acme' }, { customsDelays: { delays: { BR: { typicalHours: 'soon' } } } });
      await expect(customsDelayTableForShop('acme')).rejects.toThrow('delays.BR.typicalHours');
    });
  });
});
