/**
 * The chat widget (web/widget.js) in a real headless Chromium (Debian's `chromium`, driven by
 * playwright-core) on a sample store page (test/fixtures/widget/store.html) served from ANOTHER
 * origin than the gateway, with a strict Content-Security-Policy: the real stack answers.
 * Open the bubble → ask → the FAQ answer; a reply while closed → unread badge; quick replies;
 * Arabic page → RTL; keyboard only (Tab to the bubble, Enter, focus trap, Escape); a verified
 * customer; the store's CSS and the widget's kept apart. Screenshots: docs/images/widget-*.png.
 */
import { deflateSync } from 'node:zlib';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { conversationWorkflowId } from '../bots/channel.js';
import { WebchatAdapter } from '../bots/webchat/adapter.js';
import { customerHash } from '../bots/webchat/identity.js';
import { appProxySignature } from '../bots/webchat/shopify-proxy.js';
import { disconnectMongo } from '../models/connection.js';
import { MessageModel } from '../models/message.js';
import { webchatIdentitySecret } from '../models/webchat-identity-secret.js';
import { startApp, type App } from '../scripts/app.js';
import { seedDemoShop } from '../scripts/demo/demo-shop.js';
import { eventually, testSecrets, useFreshDatabase } from './setup/helpers.js';
import { chromiumPath } from './kit/chromium.js';

const CHROMIUM = chromiumPath();
if (!CHROMIUM) console.warn('widget-browser: SKIPPED — no chromium binary on PATH (apt-get install chromium)');
const IMAGES = fileURLToPath(new URL('../docs/images/', import.meta.url));
const fixture = (name: string) => readFileSync(new URL(`./fixtures/widget/${name}`, import.meta.url), 'utf8');
const secrets = testSecrets();
const APP_SECRET = 'shopify-app-client-secret-for-tests';
const STORE_DOMAIN = 'sora-demo.myshopify.com';

/** What Shopify does for an app proxy: the same query, signed with the app's client secret. */
function proxied(gateway: string, customerId: string | null, o: { timestamp?: number; shop?: string; secret?: string } = {}): string {
  const q: Record<string, string> = {
    shop: o.shop ?? STORE_DOMAIN,
    logged_in_customer_id: customerId ?? '',
    path_prefix: '/apps/sora-chat',
    timestamp: String(o.timestamp ?? Math.floor(Date.now() / 1000)),
  };
  q.signature = appProxySignature(q, o.secret ?? APP_SECRET);
  return `${gateway}/webchat/shopify-proxy/identity?${new URLSearchParams(q)}`;
}

let app: App;
let store: Server;
let storeUrl: string;
let browser: Browser;
let secret: string;
const pageErrors: string[] = [];

/** The store: its own origin, a strict CSP (no inline script or style; scripts and API calls only to the chat host). */
function startStore(gateway: string): Promise<Server> {
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    if (u.pathname === '/store.css') {
      res.writeHead(200, { 'content-type': 'text/css' });
      return res.end(fixture('store.css'));
    }
    if (u.pathname === '/apps/sora-chat/identity') {
      // The store's domain forwards to the app proxy (as Shopify does), with the logged-in customer from its own cookie.
      const customer = /(?:^|;\s*)customer_id=(\d+)/.exec(req.headers.cookie ?? '')?.[1] ?? null;
      void fetch(proxied(gateway, customer)).then(async (r) => {
        res.writeHead(r.status, { 'content-type': 'application/json' });
        res.end(await r.text());
      });
      return;
    }
    const ar = u.searchParams.get('lang') === 'ar';
    const customer = u.searchParams.get('customer');
    const identity = customer
      ? ` data-customer-id="${customer}" data-customer-hash="${customerHash(secret, customer)}"`
      : u.searchParams.has('proxy')
        ? ' data-identity-url="/apps/sora-chat/identity"'
        : '';
    const html = fixture('store.html')
      .replaceAll('{{HOST}}', gateway)
      .replaceAll('{{LANG}}', ar ? 'ar' : 'en')
      .replaceAll('{{DIR}}', ar ? 'rtl' : 'ltr')
      .replaceAll('{{NAV1}}', ar ? 'جديد' : 'New in')
      .replaceAll('{{NAV2}}', ar ? 'تخفيضات' : 'Sale')
      .replaceAll('{{H1}}', ar ? 'مجموعة الشتاء' : 'Winter collection')
      .replaceAll('{{BUY}}', ar ? 'أضف إلى السلة' : 'Add to cart')
      .replaceAll('{{IDENTITY}}', identity);
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': `default-src 'self'; script-src 'self' ${gateway}; connect-src 'self' ${gateway}; style-src 'self'; img-src 'self' data:`,
    });
    res.end(html);
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r(server)));
}

beforeAll(async () => {
  if (!CHROMIUM) return;
  const db = 'sora_widget_browser';
  await useFreshDatabase(db);
  await seedDemoShop();
  secret = (await webchatIdentitySecret('demo', secrets, { rotate: true }))!;
  app = await startApp({
    secrets,
    mongoUri: inject('mongoUri').replace(/\/[^/]*$/, `/${db}`),
    temporal: { address: inject('temporalAddress'), namespace: 'default' },
    gatewayPort: 0,
    relayIntervalMs: 500,
    adapters: [
      new WebchatAdapter({
        pollMs: 200,
        secrets,
        attachmentMaxBytes: 200 * 1024,
        shopify: {
          stores: [{ domain: STORE_DOMAIN, shopId: 'demo', accessToken: 'unused' }],
          apiVersion: '2025-01',
          appSecret: APP_SECRET,
        },
      }),
    ],
    carrierKeyAudit: false,
    importWorker: false,
    printOperatorToken: () => {},
  });
  store = await startStore(app.gateway.url);
  storeUrl = `http://127.0.0.1:${(store.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => (store ? store.close(r) : r(null)));
  await app?.stop();
  await disconnectMongo();
});

async function storePage(query = ''): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1100, height: 760 } })).newPage();
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(m.text());
  });
  await page.goto(`${storeUrl}/${query}`);
  await page.locator('[data-sora-chat] .bubble').waitFor();
  return page;
}
const bubble = (p: Page) => p.locator('[data-sora-chat] .bubble');
const panel = (p: Page) => p.locator('[data-sora-chat] .panel');
const messages = (p: Page, cls: string) => p.locator(`[data-sora-chat] .msg.${cls}`);
/** What has focus inside the widget (the document sees only the shadow host). */
const focused = (p: Page) =>
  p.evaluate(() => {
    const host = document.querySelector('[data-sora-chat]');
    const a = host?.shadowRoot?.activeElement as HTMLElement | null | undefined;
    return document.activeElement === host && a
      ? `${a.tagName.toLowerCase()}.${a.className}`
      : `outside:${document.activeElement?.tagName}`;
  });
/** A small "product photo" PNG (a pink stripe on a warm gradient), made here so the test needs no image file. */
function photo(w = 240, h = 160): Buffer {
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    raw[y * (w * 3 + 1)] = 0;
    for (let x = 0; x < w; x++) {
      const o = y * (w * 3 + 1) + 1 + x * 3;
      const stripe = Math.abs(x - w / 2 - (y - h / 2) * 0.4) < 18;
      raw[o] = stripe ? 236 : 250 - y / 2;
      raw[o + 1] = stripe ? 72 : 200 - x / 4;
      raw[o + 2] = stripe ? 153 : 150 + y / 3;
    }
  }
  const crc = (b: Buffer) => {
    let c = ~0;
    for (const byte of b) {
      c ^= byte;
      for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
    }
    return ~c >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
const anonymousBuyer = (p: Page) =>
  p.evaluate(() => JSON.parse(localStorage.getItem('sora-chat:demo:anonymous') ?? 'null') as { buyerId: string } | null);

describe.skipIf(!CHROMIUM)('the chat widget in Chromium on a store page', () => {
  it('is served as cacheable JavaScript, and the API answers cross-origin preflights', async () => {
    const js = await fetch(`${app.gateway.url}/webchat/widget.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=300, stale-while-revalidate=86400');
    expect(js.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    const again = await fetch(`${app.gateway.url}/webchat/widget.js`, { headers: { 'if-none-match': js.headers.get('etag')! } });
    expect(again.status).toBe(304);
    const pre = await fetch(`${app.gateway.url}/webchat/demo/messages`, {
      method: 'OPTIONS',
      headers: {
        origin: storeUrl,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    expect(pre.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    expect(pre.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('open the bubble, ask, get the FAQ answer; a reply while closed shows the unread badge; quick replies send', async () => {
    mkdirSync(IMAGES, { recursive: true });
    const page = await storePage();
    await expect(bubble(page).getAttribute('aria-label')).resolves.toBe('Open chat');
    // The store's CSS does not reach the widget, the widget's does not reach the store.
    expect(await bubble(page).evaluate((b) => getComputedStyle(b).backgroundColor)).toBe('rgb(37, 99, 235)');
    expect(
      await page
        .locator('article button')
        .first()
        .evaluate((b) => getComputedStyle(b).backgroundColor),
    ).toBe('rgb(255, 105, 180)');
    await page.screenshot({ path: `${IMAGES}widget-closed.png` });

    await bubble(page).click();
    await panel(page).waitFor();
    expect(await bubble(page).getAttribute('aria-expanded')).toBe('true');
    expect(await focused(page)).toBe('textarea.');
    await page.keyboard.type('How long does shipping to the US take?');
    await page.keyboard.press('Enter');
    await expect(messages(page, 'bot').first()).toBeDefined();
    await messages(page, 'bot').first().waitFor({ timeout: 60_000 });
    expect(await messages(page, 'bot').first().textContent()).toMatch(/7–12 business days/);
    await page.screenshot({ path: `${IMAGES}widget-open.png` });

    // Closed: a reply (with quick replies, as a send activity records it) lights the badge.
    await page.keyboard.press('Escape');
    await panel(page).waitFor({ state: 'hidden' });
    const buyer = (await anonymousBuyer(page))!;
    const workflowId = conversationWorkflowId({ shopId: 'demo', channel: 'webchat', buyerId: buyer.buyerId });
    await MessageModel.create({
      direction: 'out',
      channel: 'webchat',
      externalId: `widget-qr-${Date.now()}`,
      shopId: 'demo',
      buyerId: buyer.buyerId,
      workflowId,
      text: 'Was this answer helpful?',
      quickReplies: ['Yes, thanks', 'I need a human'],
      author: 'bot',
      status: 'sent',
    });
    const badge = page.locator('[data-sora-chat] .badge');
    await badge.waitFor({ state: 'visible', timeout: 10_000 });
    expect(await badge.textContent()).toBe('1');
    expect(await bubble(page).getAttribute('aria-label')).toBe('Open chat (1 unread)');
    await page.screenshot({ path: `${IMAGES}widget-badge.png` });

    await bubble(page).click();
    await badge.waitFor({ state: 'hidden' });
    const qr = page.locator('[data-sora-chat] .qr button');
    expect(await qr.allTextContents()).toEqual(['Yes, thanks', 'I need a human']);
    await page.screenshot({ path: `${IMAGES}widget-quick-replies.png` });
    await qr.first().click();
    await eventually(
      async () => (await MessageModel.findOne({ workflowId, direction: 'in', text: 'Yes, thanks' }).lean()) ?? null,
      30_000,
      'the quick reply as a buyer message',
    );
    expect(await qr.count()).toBe(0);
    await page.context().close();
  });

  it('attach a photo: paperclip → file → the message shows its thumbnail and is recorded with the attachment; too large → inline error', async () => {
    const page = await storePage();
    await bubble(page).click();
    const clip = page.locator('[data-sora-chat] button.clip');
    expect(await clip.getAttribute('aria-label')).toBe('Attach a photo or PDF');
    const file = page.locator('[data-sora-chat] input[type=file]');
    expect(await file.getAttribute('accept')).toBe('image/jpeg,image/png,image/webp,image/gif,application/pdf');
    await page.keyboard.type('The zipper arrived broken, see the photo');
    // The paperclip opens the system file picker; the test answers it with a file.
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), clip.click()]);
    await chooser.setFiles({ name: 'zipper.png', mimeType: 'image/png', buffer: photo() });
    const thumb = page.locator('[data-sora-chat] .msg.buyer .att img');
    await thumb.waitFor();
    await eventually(
      async () => ((await thumb.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth)) ? true : null),
      10_000,
      'the thumbnail',
    );
    const buyer = (await anonymousBuyer(page))!;
    const row = await eventually(
      async () => (await MessageModel.findOne({ buyerId: buyer.buyerId, direction: 'in' }).lean()) ?? null,
      30_000,
      'the message with its attachment',
    );
    expect(row.text).toBe('The zipper arrived broken, see the photo');
    expect(row.attachments).toEqual([
      expect.objectContaining({ type: 'image', mimeType: 'image/png', url: expect.stringMatching(/^\/webchat\/demo\/attachments\//) }),
    ]);
    await messages(page, 'bot').first().waitFor({ timeout: 60_000 });
    await page.screenshot({ path: `${IMAGES}widget-attachment.png` });
    // Too large: nothing sent, the reason shown in the conversation.
    const big = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(300 * 1024, 32)]);
    await file.setInputFiles({ name: 'invoice.pdf', mimeType: 'application/pdf', buffer: big });
    const note = page.locator('[data-sora-chat] .msg.note');
    await note.waitFor();
    expect(await note.textContent()).toMatch(/Not sent: the file is larger than 200 KB/);
    expect(await page.locator('[data-sora-chat] .msg.buyer .att .name').last().textContent()).toMatch(/invoice\.pdf/);
    await page.context().close();
    // The refused upload is the browser's own console error (413), expected here.
    const caused = pageErrors.filter((e) => /413/.test(e));
    pageErrors.splice(0, pageErrors.length, ...pageErrors.filter((e) => !caused.includes(e)));
  });

  it('the full-page chat (/chat) sends a photo too', async () => {
    const page = await (await browser.newContext({ viewport: { width: 800, height: 700 } })).newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await page.goto(`${app.gateway.url}/chat?shop=demo`);
    await page.locator('#who').filter({ hasText: 'you are' }).waitFor();
    const buyerId = /you are (\S+)/.exec((await page.locator('#who').textContent())!)![1]!;
    await page.locator('#t').fill('Is this the right size?');
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.locator('#clip').click()]);
    await chooser.setFiles({ name: 'label.png', mimeType: 'image/png', buffer: photo(120, 80) });
    await page.locator('.msg.buyer .att img').waitFor();
    const row = await eventually(
      async () => (await MessageModel.findOne({ buyerId, direction: 'in' }).lean()) ?? null,
      30_000,
      'the /chat message with its attachment',
    );
    expect(row.text).toBe('Is this the right size?');
    expect(row.attachments).toEqual([expect.objectContaining({ type: 'image', mimeType: 'image/png' })]);
    await page.context().close();
  });

  it('keyboard only: Tab reaches the bubble, Enter opens, focus stays in the panel, Escape closes back to the bubble', async () => {
    const page = await storePage();
    let guard = 0;
    while ((await focused(page)) !== 'button.bubble' && guard++ < 20) await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('button.bubble');
    await page.keyboard.press('Enter');
    await panel(page).waitFor();
    expect(await focused(page)).toBe('textarea.');
    await page.keyboard.type('How long does delivery to the UK take?');
    await page.keyboard.press('Enter');
    await messages(page, 'bot').first().waitFor({ timeout: 60_000 });
    const seen = new Set<string>();
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press('Tab');
      seen.add(await focused(page));
    }
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press('Shift+Tab');
      seen.add(await focused(page));
    }
    // Only the panel's own controls: close, the message log, attach, the text box, Send. Never the page behind.
    expect([...seen].sort()).toEqual(['button.clip', 'button.send', 'button.x', 'div.log', 'textarea.']);
    expect(await page.locator('[data-sora-chat] .log').getAttribute('aria-live')).toBe('polite');
    expect(await panel(page).getAttribute('role')).toBe('dialog');
    await page.keyboard.press('Escape');
    await panel(page).waitFor({ state: 'hidden' });
    expect(await focused(page)).toBe('button.bubble');
    expect(await bubble(page).getAttribute('aria-expanded')).toBe('false');
    await page.context().close();
  });

  it('the reply stream reconnects with backoff after failures and the reply still arrives', async () => {
    const page = await storePage();
    let refused = 0;
    const times: number[] = [];
    await page.route('**/webchat/demo/events*', async (route) => {
      times.push(Date.now());
      if (refused < 2) {
        refused++;
        return route.abort('connectionreset');
      }
      return route.continue();
    });
    await bubble(page).click();
    const status = page.locator('[data-sora-chat] header .status');
    await eventually(async () => ((await status.textContent()) === 'Reconnecting…' ? true : null), 10_000, 'the reconnecting notice');
    await page.keyboard.type('How long does shipping to the US take?');
    await page.keyboard.press('Enter');
    await messages(page, 'bot').first().waitFor({ timeout: 60_000 });
    expect(await status.textContent()).toBe('');
    expect(times.length).toBeGreaterThanOrEqual(3);
    // Backoff: ~1 s then ~2 s (±25 % jitter) between the attempts.
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(700);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(1400);
    await page.context().close();
    // The two refused connections are the browser's own console errors, expected here.
    const caused = pageErrors.filter((e) => /ERR_CONNECTION_RESET/.test(e));
    expect(caused.length).toBe(2);
    pageErrors.splice(0, pageErrors.length, ...pageErrors.filter((e) => !caused.includes(e)));
  });

  it('an Arabic store page lays the widget out right to left, in Arabic', async () => {
    const page = await storePage('?lang=ar');
    await bubble(page).click();
    const wrap = page.locator('[data-sora-chat] .wrap');
    expect(await wrap.getAttribute('dir')).toBe('rtl');
    expect(await wrap.getAttribute('lang')).toBe('ar');
    expect(await page.locator('[data-sora-chat] textarea').getAttribute('placeholder')).toBe('اكتب رسالة…');
    await page.keyboard.type('كم يستغرق الشحن إلى الولايات المتحدة؟');
    await page.keyboard.press('Enter');
    await messages(page, 'bot').first().waitFor({ timeout: 60_000 });
    // The buyer's bubble sits on the left in RTL (flex-end of a right-to-left line).
    await page.screenshot({ path: `${IMAGES}widget-rtl.png` });
    const log = (await page.locator('[data-sora-chat] .log').boundingBox())!;
    const b = (await messages(page, 'buyer').first().boundingBox())!;
    const r = (await messages(page, 'bot').first().boundingBox())!;
    expect(b.x - log.x).toBeLessThan(20); // the buyer's message against the left edge
    expect(log.x + log.width - (r.x + r.width)).toBeLessThan(20); // the reply against the right edge
    await page.context().close();
  });

  it('a logged-in customer (data-customer-id + data-customer-hash) chats as that customer', async () => {
    const page = await storePage('?customer=cust-4242');
    await bubble(page).click();
    await page.keyboard.type('How long does shipping to the US take?');
    await page.keyboard.press('Enter');
    await messages(page, 'bot').first().waitFor({ timeout: 60_000 });
    const wf = conversationWorkflowId({ shopId: 'demo', channel: 'webchat', buyerId: 'cust-4242' });
    expect(await MessageModel.countDocuments({ workflowId: wf, direction: 'in' })).toBe(1);
    expect(await anonymousBuyer(page)).toBeNull();
    await page.context().close();
  });

  it('Shopify app proxy: only signed, fresh requests of a known store; a logged-in customer gets their hash, a visitor nothing', async () => {
    const gw = app.gateway.url;
    expect(await (await fetch(proxied(gw, '7392019283746'))).json()).toEqual({
      customerId: '7392019283746',
      customerHash: customerHash(secret, '7392019283746'),
    });
    expect(await (await fetch(proxied(gw, null))).json()).toEqual({});
    const forged = await fetch(proxied(gw, '7392019283746', { secret: 'not-the-app-secret' }));
    expect(forged.status).toBe(401);
    expect((await forged.json()).message).toMatch(/signature is missing or wrong/);
    expect((await fetch(proxied(gw, '1', { timestamp: Math.floor(Date.now() / 1000) - 7200 }))).status).toBe(401);
    const unknown = await fetch(proxied(gw, '1', { shop: 'other.myshopify.com' }));
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).message).toMatch(/other\.myshopify\.com" is not in SORA_SHOPIFY_STORES/);
  });

  it('a Shopify customer is identified through the app proxy (data-identity-url) and chats as that customer', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1100, height: 760 } });
    await ctx.addCookies([{ name: 'customer_id', value: '5550001', url: storeUrl }]);
    const page = await ctx.newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await page.goto(`${storeUrl}/?proxy=1`);
    await bubble(page).click();
    await page.keyboard.type('How long does shipping to the US take?');
    await page.keyboard.press('Enter');
    await messages(page, 'bot').first().waitFor({ timeout: 60_000 });
    const wf = conversationWorkflowId({ shopId: 'demo', channel: 'webchat', buyerId: '5550001' });
    expect(await MessageModel.countDocuments({ workflowId: wf, direction: 'in' })).toBe(1);
    await ctx.close();
    expect(pageErrors).toEqual([]);
  });
});
