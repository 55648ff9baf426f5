/**
 * Web chat buyer attachments: upload (type checked by magic bytes, size limit), a message naming
 * its uploads reaches intake and the record, reads by the owning buyer only, buyer data rights.
 * Real gateway, Temporal dev server and MongoDB-wire server (no worker: nothing needs answering).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { WebchatAdapter } from '../bots/webchat.js';
import { sniffType } from '../bots/webchat/attachments.js';
import { exportBuyerData, forgetBuyerData } from '../activities/privacy/buyer-data.js';
import { AgentModel, hashPassword } from '../models/agent.js';
import { disconnectMongo } from '../models/connection.js';
import { ConversationModel } from '../models/conversation.js';
import { MessageModel } from '../models/message.js';
import { ShopModel } from '../models/shop.js';
import { sweepUnsentAttachments, WebchatAttachmentModel } from '../models/webchat-attachment.js';
import { startApp, type App } from '../scripts/app.js';
import { seedDemoShop } from '../scripts/demo/demo-shop.js';
import { useFreshDatabase, webchatPost, webchatSession, type WebchatTestSession } from './setup/helpers.js';

const MAX = 64 * 1024;
let app: App;

beforeAll(async () => {
  await useFreshDatabase('sora_webchat_attachments');
  await seedDemoShop();
  await ShopModel.create({ shopId: 'other', name: 'Other Store' });
  app = await startApp({
    mongoUri: inject('mongoUri'),
    temporal: { address: inject('temporalAddress'), namespace: 'default' },
    worker: false,
    gatewayPort: 0,
    relayIntervalMs: 600_000,
    adapters: [new WebchatAdapter({ pollMs: 200, attachmentMaxBytes: MAX })],
  });
});

afterAll(async () => {
  await app?.stop();
  await disconnectMongo();
});

/** A 1×1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(16)]);
const GIF = Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1');
const WEBP = Buffer.concat([Buffer.from('RIFF'), Buffer.from([26, 0, 0, 0]), Buffer.from('WEBPVP8 '), Buffer.alloc(14)]);

const url = () => app.gateway.url;
const upload = (s: Pick<WebchatTestSession, 'auth'> | null, body: Buffer, type: string, shop = 'demo') =>
  fetch(`${url()}/webchat/${shop}/attachments`, {
    method: 'POST',
    headers: { 'content-type': type, ...(s?.auth ?? {}) },
    body: new Uint8Array(body),
  });
const get = (s: Pick<WebchatTestSession, 'auth'> | null, id: string, shop = 'demo') =>
  fetch(`${url()}/webchat/${shop}/attachments/${id}`, { headers: s?.auth ?? {} });
const json = async (r: Response) => (await r.json()) as Record<string, unknown>;

describe('web chat attachments', () => {
  it('knows the allowed types by their first bytes', () => {
    expect([PNG, PDF, JPEG, GIF, WEBP].map(sniffType)).toEqual(['image/png', 'application/pdf', 'image/jpeg', 'image/gif', 'image/webp']);
    expect(sniffType(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull();
  });

  it('stores an upload and serves it to its buyer only, with safe headers', async () => {
    const s = await webchatSession(url());
    const res = await upload(s, PNG, 'image/png');
    expect(res.status).toBe(201);
    const body = await json(res);
    expect(body).toMatchObject({ mimeType: 'image/png', size: PNG.length });
    expect(body.url).toBe(`/webchat/demo/attachments/${body.id}`);
    const doc = await WebchatAttachmentModel.findOne({ attachmentId: String(body.id) }).lean();
    expect(doc).toMatchObject({ shopId: 'demo', buyerId: s.buyerId, mime: 'image/png', size: PNG.length });
    expect(doc!.sha256).toMatch(/^[0-9a-f]{64}$/);

    const own = await get(s, String(body.id));
    expect(own.status).toBe(200);
    expect(own.headers.get('content-type')).toBe('image/png');
    expect(own.headers.get('x-content-type-options')).toBe('nosniff');
    expect(own.headers.get('content-disposition')).toMatch(/^inline;/);
    expect(own.headers.get('cache-control')).toMatch(/^private/);
    expect(Buffer.from(await own.arrayBuffer()).equals(PNG)).toBe(true);

    const pdf = await json(await upload(s, PDF, 'application/pdf'));
    const pdfRes = await get(s, String(pdf.id));
    expect(pdfRes.headers.get('content-disposition')).toMatch(/^attachment;/);

    // Another buyer, no session, and another shop: not served.
    const other = await webchatSession(url());
    expect((await get(other, String(body.id))).status).toBe(404);
    expect((await get(null, String(body.id))).status).toBe(401);
    const otherShop = await webchatSession(url(), 'other');
    expect((await get(otherShop, String(body.id), 'other')).status).toBe(404);
  });

  it('refuses a wrong type by content (415), a too large file (413) and no session (401)', async () => {
    const s = await webchatSession(url());
    const svg = await upload(s, Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), 'image/svg+xml');
    expect(svg.status).toBe(415);
    expect((await json(svg)).message).toMatch(/image\/svg\+xml.*not allowed/);
    // The header says PNG, the bytes are HTML: refused by magic bytes.
    const disguised = await upload(s, Buffer.from('<html><script>alert(1)</script></html>'), 'image/png');
    expect(disguised.status).toBe(415);
    expect(await json(disguised)).toMatchObject({ error: 'attachment_type_mismatch' });
    // A real JPEG declared as PNG: told what it is.
    const mislabelled = await upload(s, JPEG, 'image/png');
    expect(mislabelled.status).toBe(415);
    expect((await json(mislabelled)).message).toMatch(/content is image\/jpeg/);
    const big = await upload(s, Buffer.concat([PNG, Buffer.alloc(MAX)]), 'image/png');
    expect(big.status).toBe(413);
    expect((await json(big)).message).toMatch(/larger than 64 KB/);
    expect((await upload(null, PNG, 'image/png')).status).toBe(401);
    expect((await upload(s, Buffer.alloc(0), 'image/png')).status).toBe(400);
    expect(await WebchatAttachmentModel.countDocuments({ buyerId: s.buyerId })).toBe(0);
  });

  it('a message with an attachment reaches intake and the record; another buyer\u2019s upload is refused', async () => {
    const s = await webchatSession(url());
    const up = await json(await upload(s, PNG, 'image/png'));
    const res = await webchatPost(url(), s, { messageId: 'with-photo', text: '', attachments: [{ id: up.id }] });
    expect(res.status).toBe(202);
    const row = await MessageModel.findOne({ buyerId: s.buyerId, direction: 'in' }).lean();
    expect(row?.text).toBe('');
    expect(row?.attachments).toEqual([
      { type: 'image', url: `/webchat/demo/attachments/${up.id}`, mimeType: 'image/png', sizeBytes: PNG.length },
    ]);

    const thief = await webchatSession(url());
    const stolen = await webchatPost(url(), thief, { messageId: 'steal', text: 'look', attachments: [{ id: up.id }] });
    expect(stolen.status).toBe(400);
    expect(await json(stolen)).toMatchObject({ error: 'unknown_attachment' });
    expect((await webchatPost(url(), s, { messageId: 'empty', text: '  ' })).status).toBe(400);
    const five = Array.from({ length: 5 }, () => ({ id: String(up.id) }));
    const tooMany = await webchatPost(url(), s, { messageId: 'five', text: 'x', attachments: five });
    expect(tooMany.status).toBe(400);
    expect((await json(tooMany)).message).toMatch(/at most 4 attachments/);
    expect(await MessageModel.countDocuments({ buyerId: thief.buyerId })).toBe(0);
  });

  it('an upload the buyer never sent is deleted after the TTL; sent ones (and older records) stay', async () => {
    const s = await webchatSession(url());
    const unsent = await json(await upload(s, PNG, 'image/png'));
    const sent = await json(await upload(s, PDF, 'application/pdf'));
    expect((await webchatPost(url(), s, { messageId: 'sent-pdf', text: 'my receipt', attachments: [{ id: sent.id }] })).status).toBe(202);
    expect((await WebchatAttachmentModel.findOne({ attachmentId: String(unsent.id) }).lean())?.pending).toBe(true);
    expect((await WebchatAttachmentModel.findOne({ attachmentId: String(sent.id) }).lean())?.pending).toBeUndefined();
    // A record from before the sweep existed (no `pending` field) is left alone.
    await WebchatAttachmentModel.collection.insertOne({
      attachmentId: 'att_before-sweeps',
      shopId: 'demo',
      buyerId: s.buyerId,
      mime: 'image/png',
      size: PNG.length,
      sha256: '0'.repeat(64),
      data: PNG,
      createdAt: new Date(Date.now() - 30 * 86_400_000),
    });
    // Not yet past the TTL: nothing goes.
    expect(await sweepUnsentAttachments(new Date(Date.now() - 3_600_000))).toBe(0);
    expect(await sweepUnsentAttachments(new Date(Date.now() + 1_000))).toBeGreaterThanOrEqual(1);
    expect((await get(s, String(unsent.id))).status).toBe(404);
    expect((await get(s, String(sent.id))).status).toBe(200);
    expect(await WebchatAttachmentModel.exists({ attachmentId: 'att_before-sweeps' })).toBeTruthy();
  });

  it('a desk agent of the shop sees the attachment in the transcript and opens it; another shop\u2019s agent cannot', async () => {
    const s = await webchatSession(url());
    const up = await json(await upload(s, PNG, 'image/png'));
    expect((await webchatPost(url(), s, { messageId: 'desk-photo', text: 'is this broken?', attachments: [{ id: up.id }] })).status).toBe(
      202,
    );
    const workflowId = `conv:demo:webchat:${s.buyerId}`;
    await ConversationModel.create({
      workflowId,
      runId: 'r1',
      shopId: 'demo',
      channel: 'webchat',
      buyerId: s.buyerId,
      status: 'waiting_agent',
      openedAt: new Date(),
    });
    const passwordHash = await hashPassword('attachments test password');
    await AgentModel.create([
      { _id: 'ana', name: 'Ana', email: 'ana@demo.test', role: 'agent', shopIds: ['demo'], passwordHash },
      { _id: 'bob', name: 'Bob', email: 'bob@other.test', role: 'agent', shopIds: ['other'], passwordHash },
    ]);
    const signIn = async (login: string) => {
      const r = await fetch(`${url()}/desk/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login, password: 'attachments test password' }),
      });
      expect(r.status).toBe(201);
      return { cookie: r.headers.get('set-cookie')!.split(';')[0]! };
    };
    const ana = await signIn('ana');
    const transcript = (await json(
      await fetch(`${url()}/desk/api/conversations/${encodeURIComponent(workflowId)}/messages`, { headers: ana }),
    )) as {
      messages: Array<{ attachments: Array<{ url: string; type: string; mimeType: string }> }>;
    };
    const att = transcript.messages[0]!.attachments;
    expect(att).toEqual([
      {
        type: 'image',
        mimeType: 'image/png',
        sizeBytes: PNG.length,
        name: null,
        url: `/desk/api/conversations/${encodeURIComponent(workflowId)}/attachments/${up.id}`,
      },
    ]);
    const img = await fetch(`${url()}${att[0]!.url}`, { headers: ana });
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toBe('image/png');
    expect(img.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await img.arrayBuffer()).equals(PNG)).toBe(true);
    expect((await fetch(`${url()}${att[0]!.url}`, { headers: await signIn('bob') })).status).toBe(404);
    expect((await fetch(`${url()}${att[0]!.url}`)).status).toBe(401);
    // Another buyer's upload through this conversation's URL: not served.
    const other = await webchatSession(url());
    const theirs = await json(await upload(other, PNG, 'image/png'));
    expect(
      (await fetch(`${url()}/desk/api/conversations/${encodeURIComponent(workflowId)}/attachments/${theirs.id}`, { headers: ana })).status,
    ).toBe(404);
  });

  it('buyer data rights: export lists the uploads (metadata), forget deletes them', async () => {
    const s = await webchatSession(url());
    const up = await json(await upload(s, PDF, 'application/pdf'));
    const data = await exportBuyerData({ shopId: 'demo', buyerId: s.buyerId, via: 'cli' }, app.client);
    expect(data.webchatAttachments).toEqual([
      expect.objectContaining({ id: up.id, mimeType: 'application/pdf', size: PDF.length, sha256: expect.any(String) }),
    ]);
    expect(JSON.stringify(data.webchatAttachments)).not.toContain('PDF-1.4');
    const report = await forgetBuyerData({ shopId: 'demo', buyerId: s.buyerId, via: 'cli' }, app.client);
    expect(report.counts.webchatAttachments).toBe(1);
    expect(await WebchatAttachmentModel.countDocuments({ buyerId: s.buyerId })).toBe(0);
  });
});
