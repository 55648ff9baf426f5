/**
 * The demo shop seeded by `npm start`, so a newcomer can chat at once: the demo FAQ workbook
 * (scripts/demo/demo-faq.csv, 217 entries with answers in en, es, zh, th, fr), imported through the
 * normal KB import, and a few orders, one above the $200 handoff threshold.
 */
import { fileURLToPath } from 'node:url';
import { importKb } from '../../activities/knowledge/kb-import.js';
import type { Embedder } from '../../activities/knowledge/embedder.js';
import { FaqEntryModel } from '../../models/faq-entry.js';
import { OrderModel } from '../../models/order.js';
import { ShopModel } from '../../models/shop.js';
import { seedDemoCanned } from './demo-canned.js';

export const DEMO_SHOP_ID = 'demo';

export const demoOrders = [
  { orderNumber: '1001', totalUsd: 39.9, status: 'shipped', country: 'US' },
  { orderNumber: '1002', totalUsd: 349, status: 'paid', country: 'BR' },
  {
    orderNumber: '1234',
    totalUsd: 58.5,
    status: 'shipped',
    country: 'TH',
    shipments: [{ carrier: 'china-post', trackingNumber: 'LX246813576CN' }],
  },
];

export const DEMO_FAQ_FILE = fileURLToPath(new URL('./demo-faq.csv', import.meta.url));

/** Idempotent: upserts the demo shop and orders; imports the demo FAQ when the shop has none. */
export async function seedDemoShop(shopId = DEMO_SHOP_ID, o: { embedder?: Embedder; log?: (m: string) => void } = {}): Promise<void> {
  await ShopModel.updateOne(
    { shopId },
    { $setOnInsert: { shopId, name: 'Sora Demo Store', defaultLanguage: 'en', channels: ['webchat'] } },
    { upsert: true },
  );
  if ((await FaqEntryModel.countDocuments({ shopId })) === 0) {
    o.log?.('importing the demo FAQ workbook …');
    const r = await importKb(shopId, DEMO_FAQ_FILE, { embedder: o.embedder, progress: o.log });
    o.log?.(`demo FAQ: ${r.entries} entries, ${r.phrasings} phrasings (${r.ms} ms)`);
  }
  for (const { shipments, ...order } of demoOrders) {
    await OrderModel.updateOne(
      { shopId, orderNumber: order.orderNumber },
      {
        $setOnInsert: {
          ...order,
          shopId,
          currency: 'USD',
          total: order.totalUsd,
          source: 'demo',
          externalId: order.orderNumber,
          placedAt: new Date('2026-11-01T10:00:00Z'),
        },
        $set: { shipments: shipments ?? [] },
      },
      { upsert: true },
    );
  }
  await seedDemoCanned(shopId);
}
