/**
 * The send activity is idempotent per `{workflowId}:{runId}:{seq}`: a retried activity does not
 * send twice. The platform is a local HTTP server; the adapter under it is a minimal HTTP channel.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../activities/index.js';
import type { ChannelAdapter, ConversationRef, OutboundMessage } from '../bots/channel.js';
import { ChannelRegistry } from '../bots/registry.js';
import { MessageModel } from '../models/message.js';
import { disconnectMongo } from '../models/connection.js';
import { ShopModel } from '../models/shop.js';
import { FaqEntryModel } from '../models/faq-entry.js';
import { systemMessage } from '../activities/catalog/system-messages.js';
import { useFreshDatabase } from './setup/helpers.js';

let platform: http.Server;
let platformUrl: string;
const received: string[] = [];
let failNext = 0;

/** A channel whose platform API is `POST {base}/messages` answering `{id}`. */
class HttpChannel implements ChannelAdapter {
  readonly id = 'httptest';
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async send(_to: ConversationRef, msg: OutboundMessage): Promise<{ externalId: string }> {
    const res = await fetch(`${platformUrl}/messages`, { method: 'POST', body: JSON.stringify(msg) });
    if (!res.ok) throw new Error(`platform answered ${res.status}`);
    return (await res.json()) as { externalId: string };
  }
}

beforeAll(async () => {
  await useFreshDatabase('sora_idem');
  await ShopModel.create({ shopId: 'demo', name: 'Demo', defaultLanguage: 'en' });
  platform = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (failNext > 0) {
        failNext--;
        res.writeHead(502).end();
        return;
      }
      received.push(JSON.parse(body).text);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ externalId: `p-${received.length}` }));
    });
  });
  platform.listen(0, '127.0.0.1');
  await once(platform, 'listening');
  platformUrl = `http://127.0.0.1:${(platform.address() as AddressInfo).port}`;
});

afterAll(async () => {
  platform?.close();
  await disconnectMongo();
});

describe('outbound idempotency', () => {
  const acts = createActivities({ registry: new ChannelRegistry().register(new HttpChannel()) });
  const ref = { channel: 'httptest', shopId: 'demo', buyerId: 'b1', workflowId: 'conv:demo:httptest:b1' };
  const env = new MockActivityEnvironment();

  it('sends once per key, however often the activity runs', async () => {
    received.length = 0;
    const input = {
      ref,
      key: 'conv:demo:httptest:b1:run-1:0',
      content: { kind: 'system' as const, message: 'closed' as const },
      language: 'en',
    };
    const first = await env.run(acts.sendToBuyer, input);
    const again = await env.run(acts.sendToBuyer, input);
    expect(first).toMatchObject({ externalId: 'p-1', alreadySent: false });
    expect(again).toMatchObject({ externalId: 'p-1', alreadySent: true });
    expect(received).toHaveLength(1);
    expect(await MessageModel.countDocuments({ externalId: input.key })).toBe(1);
  });

  it('a failed attempt is recorded and the retry sends exactly once', async () => {
    received.length = 0;
    failNext = 1;
    const input = {
      ref,
      key: 'conv:demo:httptest:b1:run-1:1',
      content: { kind: 'agent' as const, agentId: 'a', text: 'hello' },
      language: 'en',
    };
    await expect(env.run(acts.sendToBuyer, input)).rejects.toThrow(/502/);
    expect((await MessageModel.findOne({ externalId: input.key }).lean())?.status).toBe('failed');
    await env.run(acts.sendToBuyer, input);
    await env.run(acts.sendToBuyer, input);
    expect(received).toEqual(['hello']);
    expect((await MessageModel.findOne({ externalId: input.key }).lean())?.status).toBe('sent');
  });

  it('different keys are different messages', async () => {
    received.length = 0;
    for (const seq of [2, 3]) {
      await env.run(acts.sendToBuyer, {
        ref,
        key: `conv:demo:httptest:b1:run-1:${seq}`,
        content: { kind: 'system' as const, message: 'nps_thanks' as const },
        language: 'th',
      });
    }
    expect(received).toEqual(['ขอบคุณสำหรับความคิดเห็นค่ะ', 'ขอบคุณสำหรับความคิดเห็นค่ะ']);
  });
});

describe('language of replies', () => {
  const acts = createActivities({ registry: new ChannelRegistry().register(new HttpChannel()) });
  const env = new MockActivityEnvironment();
  const refFor = (shopId: string) => ({ channel: 'httptest', shopId, buyerId: 'b9', workflowId: `conv:${shopId}:httptest:b9` });

  it('uses the Latin-American Spanish catalog for a shop that selects it', async () => {
    await ShopModel.create({ shopId: 'latam', name: 'LatAm', defaultLanguage: 'es', spanishVariant: 'es-419' });
    received.length = 0;
    await env.run(acts.sendToBuyer, {
      ref: refFor('latam'),
      key: 'latam-1',
      content: { kind: 'system' as const, message: 'handoff_notice' as const },
      language: 'es',
    });
    await env.run(acts.sendToBuyer, {
      ref: refFor('demo'),
      key: 'spain-1',
      content: { kind: 'system' as const, message: 'handoff_notice' as const },
      language: 'es',
    });
    expect(received).toEqual([systemMessage('handoff_notice', 'es-419').text, systemMessage('handoff_notice', 'es').text]);
    expect(received[0]).not.toBe(received[1]);
    expect((await MessageModel.findOne({ externalId: 'latam-1' }).lean())?.language).toBe('es-419');
  });

  it("falls back to the shop's default language and records that it did", async () => {
    await FaqEntryModel.create({
      shopId: 'demo',
      questionId: 'only-en',
      intent: 'payment',
      question: 'Which cards?',
      answers: { en: 'Visa and Mastercard.', th: 'วีซ่าและมาสเตอร์การ์ด' },
    });
    const understanding = {
      language: 'vi',
      intent: 'payment',
      confidence: 0.9,
      faqId: 'only-en',
      understood: true,
      complaint: false,
      humanRequest: false,
      orderNumbers: [] as string[],
      trackingNumbers: [] as string[],
      skus: [] as string[],
      countries: [] as string[],
    };
    received.length = 0;
    await env.run(acts.sendToBuyer, {
      ref: refFor('demo'),
      key: 'fb-1',
      content: { kind: 'answer' as const, understanding },
      language: 'vi',
    });
    await env.run(acts.sendToBuyer, {
      ref: refFor('demo'),
      key: 'fb-2',
      content: { kind: 'answer' as const, understanding },
      language: 'th',
    });
    expect(received).toEqual(['Visa and Mastercard.', 'วีซ่าและมาสเตอร์การ์ด']);
    expect(await MessageModel.findOne({ externalId: 'fb-1' }).lean()).toMatchObject({
      language: 'en',
      languageFallback: true,
      requestedLanguage: 'vi',
    });
    expect(await MessageModel.findOne({ externalId: 'fb-2' }).lean()).toMatchObject({ language: 'th', languageFallback: false });
  });
});
