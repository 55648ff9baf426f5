/**
 * `sora orders import`: CSV and xlsx files through the real import into MongoDB, per-row errors,
 * idempotent re-import, strict mode, FX conversion, and the CLI's `orders list`.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrdersValidationError, parseOrderDate } from '../activities/commerce/orders/file.js';
import { DEFAULT_USD_RATES, fxRates, toUsd } from '../activities/commerce/orders/fx.js';
import { ConfigError, loadConfig } from '../infra/config/index.js';
import { importOrders } from '../activities/commerce/orders/import.js';
import { disconnectMongo } from '../models/connection.js';
import { OrderModel } from '../models/order.js';
import { ShopModel } from '../models/shop.js';
import { runOrdersCommand } from '../scripts/cli/orders.js';
import { useFreshDatabase } from './setup/helpers.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'sora-orders-'));
const write = (name: string, text: string) => {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
};
const quiet = () => {};

const GOOD_CSV = [
  'order_number,placed_at,currency,total,status,country,buyer_webchat,sku,name,price,quantity,carrier,tracking_number',
  'A-100,2026-03-05T10:00:00Z,THB,7990,shipped,TH,b-1,SKU-RED,Red dress,2500,2,china-post,LX246813576CN',
  'A-100,,,,,,,SKU-BAG,Tote bag,2990,1,,',
  'A-101,2026-03-06,EUR,,paid,FR,b-2,SKU-HAT,Hat,19.5,3,,',
  'A-102,2026-03-07 09:30,USD,250,paid,US,b-1,SKU-COAT,Coat,250,1,ups,1Z999AA10123456784',
].join('\n');

describe('FX table', () => {
  it('has approximate defaults and takes SORA_FX_USD_RATES overrides and additions', () => {
    expect(fxRates({})).toEqual(DEFAULT_USD_RATES);
    const r = fxRates(loadConfig({ SORA_FX_USD_RATES: 'THB=0.03, eur=1.1,KRW=0.00072' }).orders.fxUsdRates);
    expect(r).toMatchObject({ THB: 0.03, EUR: 1.1, KRW: 0.00072, USD: 1 });
    expect(toUsd(7990, 'THB', r)).toBe(239.7);
    expect(toUsd(10, 'XXX', r)).toBeNull();
  });
  it('names the bad entry', () => {
    expect(() => loadConfig({ SORA_FX_USD_RATES: 'THB=abc' })).toThrow(ConfigError);
    expect(() => loadConfig({ SORA_FX_USD_RATES: 'THB=abc' })).toThrow(/SORA_FX_USD_RATES: "THB=abc": the rate must be a positive number/);
    expect(() => loadConfig({ SORA_FX_USD_RATES: 'THB:0.03' })).toThrow(/SORA_FX_USD_RATES: "THB:0.03" is not CODE=RATE/);
  });
  it('parses order dates strictly', () => {
    expect(parseOrderDate('2026-03-05')?.toISOString()).toBe('2026-03-05T00:00:00.000Z');
    expect(parseOrderDate('2026-03-05 14:30')?.toISOString()).toBe('2026-03-05T14:30:00.000Z');
    expect(parseOrderDate('2026-03-05T14:30:00+07:00')?.toISOString()).toBe('2026-03-05T07:30:00.000Z');
    expect(parseOrderDate('2026-02-30')).toBeNull();
    expect(parseOrderDate('05/03/2026')).toBeNull();
  });
});

describe('orders import', () => {
  const rates = fxRates({ THB: 0.03, EUR: 1.1 });

  beforeAll(async () => {
    await useFreshDatabase('sora_orders_import');
    await ShopModel.create({ shopId: 'shop-a', name: 'Shop A' });
  });
  afterAll(async () => {
    await disconnectMongo();
  });

  it('imports a CSV: rows grouped by order number, totals converted to USD with the FX table', async () => {
    const r = await importOrders('shop-a', write('good.csv', GOOD_CSV), { rates, progress: quiet });
    expect(r).toMatchObject({ orders: 3, imported: 3, updated: 0, unchanged: 0, skipped: 0, problems: [] });
    const a100 = await OrderModel.findOne({ shopId: 'shop-a', orderNumber: 'A-100' }).lean();
    expect(a100).toMatchObject({
      currency: 'THB',
      total: 7990,
      totalUsd: 239.7, // 7990 × 0.03
      status: 'shipped',
      country: 'TH',
      source: 'import',
      externalId: 'A-100',
      items: [
        { sku: 'SKU-RED', name: 'Red dress', price: 2500, quantity: 2 },
        { sku: 'SKU-BAG', name: 'Tote bag', price: 2990, quantity: 1 },
      ],
      shipments: [{ carrier: 'china-post', trackingNumber: 'LX246813576CN' }],
    });
    expect(a100!.buyerIds).toEqual({ webchat: 'b-1' });
    expect(a100!.placedAt.toISOString()).toBe('2026-03-05T10:00:00.000Z');
    // no total column value: the sum of the items, in EUR, converted
    const a101 = await OrderModel.findOne({ shopId: 'shop-a', orderNumber: 'A-101' }).lean();
    expect(a101).toMatchObject({ total: 58.5, totalUsd: 64.35, currency: 'EUR', status: 'paid' });
  });

  it('re-importing the same file changes nothing; a changed row updates only its order', async () => {
    const before = await OrderModel.find({ shopId: 'shop-a' }).sort({ orderNumber: 1 }).lean();
    const again = await importOrders('shop-a', path.join(dir, 'good.csv'), { rates, progress: quiet });
    expect(again).toMatchObject({ imported: 0, updated: 0, unchanged: 3, skipped: 0 });
    const after = await OrderModel.find({ shopId: 'shop-a' }).sort({ orderNumber: 1 }).lean();
    expect(after.map((o) => o.updatedAt.getTime())).toEqual(before.map((o) => o.updatedAt.getTime()));

    const changed = write('changed.csv', GOOD_CSV.replace('SKU-HAT,Hat,19.5,3', 'SKU-HAT,Hat,19.5,4'));
    const r = await importOrders('shop-a', changed, { rates, progress: quiet });
    expect(r).toMatchObject({ imported: 0, updated: 1, unchanged: 2 });
    expect(await OrderModel.findOne({ orderNumber: 'A-101' }).lean()).toMatchObject({ total: 78, totalUsd: 85.8 });
  });

  it('reports every bad row with its row, column and reason, and still imports the valid orders', async () => {
    const csv = [
      'order_number,placed_at,currency,total,status,country,sku,price,quantity,tracking_number,colour',
      'B-1,2026-04-01,USD,,paid,US,S1,10.00,1,,red', // valid
      'B-2,2026-04-31,USD,,paid,US,S2,10,1,,', // no 31 April
      'B-3,2026-04-02,ZZZ,,paid,XX,S3,"1,234.50",0,,',
      'B-4,2026-04-02,USD,,lost,US,,12,1,1Z!,',
      'B-5,2026-04-02,USD,,paid,US,S5,5,1,,',
      'B-5,2026-04-03,GBP,,paid,US,S6,5,1,,', // conflicts with row 6
      ',2026-04-02,USD,,paid,US,S7,5,1,,',
    ].join('\n');
    const r = await importOrders('shop-a', write('bad.csv', csv), { rates, progress: quiet });
    expect(r).toMatchObject({ orders: 1, imported: 1, skipped: 4 });
    expect(r.skippedOrders.sort()).toEqual(['B-2', 'B-3', 'B-4', 'B-5']);
    const msgs = r.problems.map((p) => `${p.cell} ${p.column}: ${p.message}`);
    expect(msgs).toEqual(
      expect.arrayContaining([
        'B3 placed_at: placed_at "2026-04-31" is not a date like 2024-03-05 or 2024-03-05T14:30:00Z',
        'C4 currency: no USD rate for ZZZ: add it to SORA_FX_USD_RATES, e.g. SORA_FX_USD_RATES=ZZZ=0.5',
        'F4 country: "XX" is not an ISO 3166-1 alpha-2 country code',
        'H4 price: price "1,234.50": write numbers with a dot for decimals and no thousands separator (e.g. 1234.50)',
        'I4 quantity: quantity "0" must be a whole number from 1 to 100000',
        'G5 sku: sku is empty',
        'J5 tracking_number: tracking_number "1Z!" must be 5–40 letters, digits or -',
        expect.stringMatching(/^E5 status: unknown status "lost" \(one of unpaid, paid, /),
        'B7 placed_at: placed_at "2026-04-03" differs from row 6 ("2026-04-02") of order B-5',
        'C7 currency: currency "GBP" differs from row 6 ("USD") of order B-5',
        'A8 order_number: order_number is empty',
      ]),
    );
    expect(r.problems).toHaveLength(11);
    expect(r.warnings).toEqual(['column K "colour" is not a known column and is ignored']);
    expect(await OrderModel.countDocuments({ shopId: 'shop-a', orderNumber: /^B-/ })).toBe(1);
  });

  it('--strict writes nothing when any row has a problem', async () => {
    const csv = ['order_number,placed_at,currency,sku,price,quantity', 'C-1,2026-05-01,USD,S1,10,1', 'C-2,2026-05-01,USD,S2,ten,1'].join(
      '\n',
    );
    const file = write('strict.csv', csv);
    const err = await importOrders('shop-a', file, { rates, strict: true, progress: quiet }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OrdersValidationError);
    expect((err as Error).message).toContain('E3 (row 3, price): price "ten" is not a number');
    expect((err as Error).message).toContain('nothing was imported');
    expect(await OrderModel.countDocuments({ shopId: 'shop-a', orderNumber: /^C-/ })).toBe(0);
    // without --strict the valid one goes in
    expect(await importOrders('shop-a', file, { rates, progress: quiet })).toMatchObject({ imported: 1, skipped: 1 });
  });

  it('refuses a file without the required columns, an unknown shop and an unknown file type', async () => {
    const err = await importOrders('shop-a', write('cols.csv', 'order,sku,price\n1,a,2'), { rates }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OrdersValidationError);
    expect((err as OrdersValidationError).problems.map((p) => p.message)).toEqual([
      'missing required column "order_number"',
      'missing required column "placed_at"',
      'missing required column "currency"',
      'missing required column "quantity"',
    ]);
    await expect(importOrders('nope', path.join(dir, 'good.csv'), { rates })).rejects.toThrow('no shop "nope"');
    await expect(importOrders('shop-a', write('x.txt', 'a'), { rates })).rejects.toThrow(/unsupported file type/);
  });

  it('imports an xlsx with real date and number cells the same way', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('orders');
    ws.addRow(['Order_Number', 'Placed_At', 'Currency', 'SKU', 'Name', 'Price', 'Quantity', 'Country', 'buyer_whatsapp']);
    ws.addRow(['X-1', new Date('2026-06-01T08:15:00Z'), 'IDR', 'BATIK-1', 'Batik shirt', 3_500_000, 1, 'ID', '6281234567']);
    ws.addRow(['X-1', null, null, 'BATIK-2', 'Batik scarf', 250_000, 2, null, null]);
    ws.addRow(['X-2', new Date('2026-06-02T00:00:00Z'), 'USD', 'S', null, 12.5, 'two', null, null]);
    const file = path.join(dir, 'orders.xlsx');
    writeFileSync(file, Buffer.from(await wb.xlsx.writeBuffer()));
    const r = await importOrders('shop-a', file, { rates, progress: quiet });
    expect(r).toMatchObject({ imported: 1, skipped: 1 });
    expect(r.problems.map((p) => `${p.cell}: ${p.message}`)).toEqual(['G4: quantity "two" must be a whole number from 1 to 100000']);
    const x1 = await OrderModel.findOne({ orderNumber: 'X-1' }).lean();
    expect(x1).toMatchObject({ currency: 'IDR', total: 4_000_000, totalUsd: 252, country: 'ID' }); // 4e6 × 0.000063
    expect(x1!.placedAt.toISOString()).toBe('2026-06-01T08:15:00.000Z');
    expect(x1!.buyerIds).toEqual({ whatsapp: '6281234567' });
    expect((await importOrders('shop-a', file, { rates, progress: quiet })).unchanged).toBe(1);
  });

  it('CLI: summary line, per-row errors on stderr, exit code; orders list as table and JSON', async () => {
    // The CLI converts with the process's table (built-in THB 0.028, EUR 1.08): the THB and EUR
    // orders' totalUsd change, the USD one does not.
    const ok = await runOrdersCommand('import', { shop: 'shop-a', file: path.join(dir, 'good.csv'), progress: quiet });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^orders into shop shop-a: 0 imported, 2 updated, 1 unchanged, 0 skipped, 0 errors; \d+ ms\n$/);
    const bad = await runOrdersCommand('import', { shop: 'shop-a', file: path.join(dir, 'strict.csv'), progress: quiet });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('error: E3 (row 3, price): price "ten" is not a number [order C-2 skipped]');
    const strict = await runOrdersCommand('import', { shop: 'shop-a', file: path.join(dir, 'strict.csv'), strict: true, progress: quiet });
    expect(strict).toMatchObject({ code: 1, stdout: '' });
    expect(strict.stderr).toMatch(/^the orders file has 1 problem; nothing was imported:/);

    const list = await runOrdersCommand('list', { shop: 'shop-a' });
    expect(list.stdout.split('\n')[0]).toMatch(/^order\s+placed\s+status\s+total\s+usd/);
    expect(list.stdout).toMatch(/A-100\s+2026-03-05\s+shipped\s+7990 THB\s+223\.72\s+TH\s+2\s+LX246813576CN\s+import/);
    const json = JSON.parse((await runOrdersCommand('list', { shop: 'shop-a', json: true })).stdout) as { orderNumber: string }[];
    expect(json.map((o) => o.orderNumber).sort()).toEqual(['A-100', 'A-101', 'A-102', 'B-1', 'C-1', 'X-1']);
  });
});
