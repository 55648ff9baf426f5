/**
 * Issue 14 item 7: a buyer's data rights. On the real stack (dev Temporal server, MongoDB-wire
 * server, web chat): a buyer chats (a running conversation workflow), has an NPS answer, a linked
 * order, a bound coupon, a missed question; `GET …/export` and `sora buyers export` return all of it;
 * `DELETE …` erases it: afterwards no document in any collection holds the buyer id or their texts,
 * the workflow is gone from Temporal, the order is kept unlinked, and one audit entry without
 * personal data records the request.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { conversationWorkflowId } from '../infra/channel-contract.js';
import { loadConfig } from '../infra/config/index.js';
import { disconnectMongo } from '../models/connection.js';
import { CouponModel } from '../models/coupon.js';
import { MessageModel } from '../models/message.js';
import { NpsAnswerModel } from '../models/nps-answer.js';
import { NoteModel } from '../models/note.js';
import { OrderModel } from '../models/order.js';
import { PrivacyAuditModel } from '../models/privacy-audit.js';
import { UnmatchedQuestionModel } from '../models/unmatched-question.js';
import { startApp, type App } from '../scripts/app.js';
import { runBuyersCommand } from '../scripts/cli/buyers.js';
import { seedDemoShop } from '../scripts/demo/demo-shop.js';
import { eventually, useFreshDatabase, webchatPost, webchatSession, type WebchatTestSession } from './setup/helpers.js';

const TOKEN = 'op-rights-secret';
let app: App;
// Web chat buyers: their ids come from their sessions (server-made, anonymous), one each.
let buyerId: string;
let other: string;
const sessions = new Map<string, WebchatTestSession>();
const wfId = (b: string) => conversationWorkflowId({ shopId: 'demo', channel: 'webchat', buyerId: b });
const TEXTS = ['Which payment methods do you accept? zebra-quartz-17', 'Do you ship to Canada? maple-otter-42'];
const NPS_TEXT = '9 lovely-heron-service';

beforeAll(async () => {
  await useFreshDatabase('sora_buyer_rights');
  await seedDemoShop();
  app = await startApp({
    config: loadConfig({ SORA_OPERATOR_TOKEN: TOKEN }),
    mongoUri: inject('mongoUri'),
    temporal: { address: inject('temporalAddress'), namespace: 'default' },
    gatewayPort: 0,
    relayIntervalMs: 600_000,
    webchatPollMs: 200,
  });
  for (const _ of [0, 1]) {
    const s = await webchatSession(app.gateway.url);
    sessions.set(s.buyerId, s);
  }
  [buyerId, other] = [...sessions.keys()] as [string, string];
});

afterAll(async () => {
  await app?.stop();
  await disconnectMongo();
});

async function chat(b: string, text: string, n: number): Promise<void> {
  const res = await webchatPost(app.gateway.url, sessions.get(b)!, { messageId: `m-${n}`, text });
  expect(res.status).toBe(202);
  await eventually(
    async () => (await MessageModel.countDocuments({ workflowId: wfId(b), direction: 'out', status: 'sent' })) >= n,
    90_000,
    `reply ${n} to ${b}`,
  );
}

const api = (method: string, path: string, token = TOKEN) =>
  fetch(`${app.gateway.url}/operator${path}`, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });

/** Every document of every collection, as text. */
async function everything(): Promise<string> {
  const db = mongoose.connection.db!;
  const parts: string[] = [];
  for (const c of await db.listCollections().toArray()) {
    const docs = await db.collection(c.name).find({}).toArray();
    parts.push(`${c.name}: ${JSON.stringify(docs)}`);
  }
  return parts.join('\n');
}

describe('buyer data rights', () => {
  beforeAll(async () => {
    await chat(buyerId, TEXTS[0]!, 1);
    await chat(buyerId, TEXTS[1]!, 2);
    await chat(other, 'Which payment methods do you accept?', 1);
    // Records of an earlier, closed conversation and of the buyer's purchases.
    await NpsAnswerModel.create({
      workflowId: wfId(buyerId),
      shopId: 'demo',
      channel: 'webchat',
      buyerId,
      score: 9,
      text: NPS_TEXT,
      language: 'en',
      closedAt: new Date(Date.now() - 86_400_000),
    });
    await UnmatchedQuestionModel.create({ shopId: 'demo', text: 'is the blue one vegan? otter-77', workflowId: wfId(buyerId) });
    await OrderModel.create({
      shopId: 'demo',
      orderNumber: 'GDPR-1',
      buyerIds: { webchat: buyerId },
      totalUsd: 20,
      status: 'paid',
      placedAt: new Date(),
      source: 'import',
    });
    await CouponModel.create({
      shopId: 'demo',
      code: 'RIGHTS10',
      discount: '10%',
      discountType: 'percent',
      discountValue: 10,
      source: 'generated',
      batch: 'b1',
      boundKey: `demo|webchat|${buyerId}`,
      boundTo: { channel: 'webchat', buyerId, workflowId: wfId(buyerId), claimKey: `${wfId(buyerId)}:r:1`, at: new Date() },
    });
  }, 240_000);

  it('refuses without the operator token, and names bad input', async () => {
    expect((await api('GET', `/shops/demo/buyers/${buyerId}/export`, '')).status).toBe(401);
    const unknown = await api('GET', `/shops/demo/buyers/nobody-here/export`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: 'unknown_buyer' });
    expect((await api('GET', `/shops/no-such-shop/buyers/${buyerId}/export`)).status).toBe(404);
    const bad = await api('GET', `/shops/demo/buyers/${buyerId}/export?channel=Not%20A%20Channel`);
    expect(bad.status).toBe(400);
    expect((await bad.json()).message).toMatch(/channel/);
  });

  it('exports the messages, the NPS answer, the order, the coupon and the running workflow (API and CLI)', async () => {
    // An agent's internal note in the desk about this buyer (personal data too).
    await NoteModel.create({ shopId: 'demo', workflowId: wfId(buyerId), agentId: 'ana', text: 'prefers mornings, heron-note-55' });
    const res = await api('GET', `/shops/demo/buyers/${buyerId}/export`);
    expect(res.status).toBe(200);
    const data = (await res.json()) as Record<string, Array<Record<string, unknown>>> & { channels: string[] };
    expect(data.channels).toEqual(['webchat']);
    const inbound = data.messages!.filter((m) => m.direction === 'in').map((m) => m.text);
    expect(inbound).toEqual(TEXTS);
    expect(data.messages!.filter((m) => m.direction === 'out').length).toBeGreaterThanOrEqual(2);
    expect(data.npsAnswers).toEqual([expect.objectContaining({ score: 9, text: NPS_TEXT })]);
    expect(data.orders!.map((o) => o.orderNumber)).toEqual(['GDPR-1']);
    expect(data.coupons!.map((c) => c.code)).toEqual(['RIGHTS10']);
    expect(data.unmatchedQuestions).toHaveLength(1);
    expect(data.notes).toEqual([expect.objectContaining({ text: 'prefers mornings, heron-note-55' })]);
    expect(data.conversations!.length).toBeGreaterThanOrEqual(1);
    expect(data.workflows).toEqual([expect.objectContaining({ workflowId: wfId(buyerId), status: 'RUNNING' })]);
    expect(JSON.stringify(data)).not.toContain(other);

    const cli = await runBuyersCommand('export', { shop: 'demo', buyer: buyerId, channel: 'webchat' }, app.client);
    expect(cli.code).toBe(0);
    expect(JSON.parse(cli.stdout)).toMatchObject({ buyerId, npsAnswers: [{ text: NPS_TEXT }] });
    expect(await PrivacyAuditModel.countDocuments({ action: 'export' })).toBe(2);
  });

  it('forgets: no document anywhere holds the buyer id or their texts, the workflow is gone, the audit entry stays', async () => {
    const res = await api('DELETE', `/shops/demo/buyers/${buyerId}`);
    expect(res.status).toBe(200);
    const report = (await res.json()) as { requestId: string; counts: Record<string, number> };
    expect(report.counts).toMatchObject({
      workflowRuns: 1,
      npsAnswers: 1,
      ordersUnlinked: 1,
      couponsAnonymised: 1,
      buyers: 1,
      unmatchedQuestions: 1,
      notes: 1,
    });
    expect(report.counts.messages).toBeGreaterThanOrEqual(4);

    await eventually(
      async () => {
        try {
          await app.client.workflow.getHandle(wfId(buyerId)).describe();
          return false;
        } catch (e) {
          return e instanceof WorkflowNotFoundError;
        }
      },
      30_000,
      'the workflow to be deleted',
    );
    const all = await everything();
    expect(all).not.toContain(buyerId);
    for (const t of [...TEXTS, NPS_TEXT, 'otter-77', 'heron-note-55']) expect(all).not.toContain(t);
    // Someone else's conversation is untouched; the order and the handed-out coupon stay, without the buyer.
    expect(all).toContain(other);
    expect(await OrderModel.findOne({ orderNumber: 'GDPR-1' }).lean()).toMatchObject({ buyerIds: {} });
    expect((await CouponModel.findOne({ code: 'RIGHTS10' }).lean())?.boundTo).toBeTruthy();
    const audit = await PrivacyAuditModel.findOne({ requestId: report.requestId }).lean();
    expect(audit).toMatchObject({ shopId: 'demo', action: 'forget', via: 'api', channels: ['webchat'] });

    // Nothing left to export or forget.
    expect((await api('GET', `/shops/demo/buyers/${buyerId}/export`)).status).toBe(404);
    const again = await runBuyersCommand('forget', { shop: 'demo', buyer: buyerId }, app.client);
    expect(again).toMatchObject({ code: 1, stderr: expect.stringMatching(/no data for buyer/) });
  });
});
