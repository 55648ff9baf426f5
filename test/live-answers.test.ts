/**
 * "Where is my order 1234?" answered from the carrier's own tracking (the demo carrier stand-in,
 * which speaks the 17TRACK API, through the real 17TRACK client), with the customs note, in the
 * buyer's language; a return question answered with the buyer's country rule. Real stack, web chat.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { disconnectMongo } from '../models/connection.js';
import { startApp, type App } from '../scripts/app.js';
import { loadConfig } from '../infra/config/index.js';
import { startDemoCarrier, type DemoCarrier } from '../scripts/demo/demo-carrier.js';
import { seedDemoShop } from '../scripts/demo/demo-shop.js';
import { eventually, useFreshDatabase, webchatPost, webchatSession } from './setup/helpers.js';
import { openSse } from './setup/sse.js';

let app: App;
let carrier: DemoCarrier;

beforeAll(async () => {
  await useFreshDatabase('sora_live');
  await seedDemoShop();
  carrier = await startDemoCarrier();
  app = await startApp({
    config: loadConfig({ SORA_17TRACK_API_KEY: 'demo', SORA_17TRACK_BASE_URL: carrier.url }),
    mongoUri: inject('mongoUri'),
    temporal: { address: inject('temporalAddress'), namespace: 'default' },
    gatewayPort: 0,
    relayIntervalMs: 600_000,
    webchatPollMs: 200,
  });
});

afterAll(async () => {
  await app?.stop();
  await carrier?.stop();
  await disconnectMongo();
});

async function ask(text: string): Promise<{ text: string; language: string }> {
  const session = await webchatSession(app.gateway.url);
  const sse = openSse(`${app.gateway.url}/webchat/demo/events`, session.auth);
  await sse.opened;
  const res = await webchatPost(app.gateway.url, session, { messageId: 'q1', text });
  expect(res.status).toBe(202);
  const ev = await eventually(() => sse.events.find((e) => e.event === 'message'), 60_000, 'the reply');
  sse.close();
  return JSON.parse(ev.data) as { text: string; language: string };
}

describe('live answers in web chat', () => {
  it('tracks order 1234 through the carrier API and explains the customs hold (English)', async () => {
    const r = await ask('Where is my order 1234?');
    expect(r.language).toBe('en');
    expect(r.text).toMatch(/customs/i);
    expect(r.text).toMatch(/Bangkok/);
    expect(r.text).toMatch(/\d/); // the date and the typical delay are filled in
    expect(carrier).toBeTruthy();
  });

  it('answers the same in the buyer’s language (Spanish)', async () => {
    const r = await ask('¿Dónde está mi pedido 1234?');
    expect(r.language).toBe('es');
    expect(r.text).toMatch(/aduana/i);
    expect(r.text).toMatch(/Bangkok/);
  });

  it('answers with the order’s status when it has no parcel to track', async () => {
    const r = await ask('Where is my order 1001?');
    expect(r.text).not.toMatch(/Bangkok/);
    expect(r.text).toBe('Your order 1001 has been shipped.');
  });

  it('answers a return question with the rule of the buyer’s country, UK with the VAT wording', async () => {
    const r = await ask('How do I return an item? I live in the UK');
    expect(r.text).toMatch(/uk/i);
    expect(r.text).toMatch(/VAT/);
  });
});
