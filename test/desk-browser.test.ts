/**
 * The desk end to end in a real headless Chromium (Debian's `chromium`, driven by playwright-core):
 * the real stack (Temporal dev server, MongoDB-wire server, worker, gateway), an agent with a
 * password, a buyer in the web chat page. Sign in → the buyer asks for a human → the conversation
 * appears in the queue (live, SSE) → accept → reply → the buyer's page shows it → an internal note
 * (never sent) → a ticket → release to the bot. Screenshots go to
 * docs/images/ (README "The desk").
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { conversationWorkflowId } from '../bots/channel.js';
import { AgentModel, hashPassword } from '../models/agent.js';
import { ConversationModel } from '../models/conversation.js';
import { MessageModel } from '../models/message.js';
import { ServiceEventModel } from '../models/service-event.js';
import { TicketModel } from '../models/ticket.js';
import { OrderModel } from '../models/order.js';
import { disconnectMongo } from '../models/connection.js';
import { startApp, type App } from '../scripts/app.js';
import { seedDemoShop } from '../scripts/demo/demo-shop.js';
import { eventually, useFreshDatabase, webchatPost, webchatSession } from './setup/helpers.js';
import { chromiumPath } from './kit/chromium.js';

const CHROMIUM = chromiumPath();
if (!CHROMIUM) console.warn('desk-browser: SKIPPED — no chromium binary on PATH (apt-get install chromium)');
const IMAGES = fileURLToPath(new URL('../docs/images/', import.meta.url));
const PASSWORD = 'desk browser test password';

let app: App;
let browser: Browser;
let desk: Page;
let buyerPage: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!CHROMIUM) return;
  const db = 'sora_desk_browser';
  await useFreshDatabase(db);
  await seedDemoShop();
  await AgentModel.create({
    _id: 'maria',
    name: 'María López',
    email: 'maria@demo.test',
    role: 'agent',
    shopIds: ['demo'],
    languages: ['en', 'es'],
    passwordHash: await hashPassword(PASSWORD),
  });
  await AgentModel.create({
    _id: 'admin',
    name: 'Shop Admin',
    email: 'admin@demo.test',
    role: 'admin',
    shopIds: ['demo'],
    passwordHash: await hashPassword(PASSWORD),
  });
  app = await startApp({
    mongoUri: inject('mongoUri').replace(/\/[^/]*$/, `/${db}`),
    temporal: { address: inject('temporalAddress'), namespace: 'default' },
    gatewayPort: 0,
    relayIntervalMs: 500,
    webchatPollMs: 200,
    signalDeadlineMs: 2000,
    printOperatorToken: () => {},
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  desk = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  buyerPage = await (await browser.newContext({ viewport: { width: 480, height: 720 } })).newPage();
  for (const p of [desk, buyerPage]) {
    p.on('pageerror', (e) => pageErrors.push(String(e)));
    p.on('console', (m) => {
      // Expected 4xx answers (not signed in yet, routes of other parts) are not page errors; CSP refusals are.
      if (m.type() === 'error' && !/^Failed to load resource/.test(m.text())) pageErrors.push(m.text());
    });
  }
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await disconnectMongo();
});

/** Another buyer (HTTP API) who asks a question, then for a human: fills the queue for the screenshot. */
async function otherBuyer(text: string[]): Promise<string> {
  const s = await webchatSession(app.gateway.url);
  let n = 0;
  for (const t of text) {
    expect((await webchatPost(app.gateway.url, s, { messageId: `m${n++}`, text: t })).status).toBe(202);
    if (n < text.length)
      await eventually(
        async () => (await MessageModel.countDocuments({ workflowId: wf(s.buyerId), direction: 'out' })) >= n,
        30_000,
        'bot answer',
      );
  }
  await eventually(
    async () => (await ConversationModel.findOne({ workflowId: wf(s.buyerId) }).lean())?.status === 'waiting_agent',
    30_000,
    'handoff',
  );
  return s.buyerId;
}
const wf = (buyerId: string) => conversationWorkflowId({ shopId: 'demo', channel: 'webchat', buyerId });

describe.skipIf(!CHROMIUM)('the desk in Chromium', () => {
  it('sign in → handoff in the queue → accept → reply reaches the buyer → note → ticket → release', async () => {
    mkdirSync(IMAGES, { recursive: true });
    const url = app.gateway.url;

    // The agent signs in.
    await desk.goto(`${url}/desk`);
    await desk.getByLabel('Agent id or e-mail').fill('maria@demo.test');
    await desk.getByLabel('Password').fill(PASSWORD);
    await desk.getByRole('button', { name: 'Sign in' }).click();
    await desk.getByRole('tab', { name: 'Waiting' }).waitFor();
    await desk.locator('.live-dot.on').waitFor({ timeout: 30_000 });

    // Two other buyers already wait (one with an order), for a queue worth looking at.
    await otherBuyer(['¿Cuánto tarda el envío a México?', 'quiero hablar con un humano, por favor']);
    await otherBuyer(['where is my order 1002?', 'I want to talk to a human']);

    // The buyer, in the web chat page, asks a question (the bot answers from the FAQ), then for a human.
    await buyerPage.goto(`${url}/chat?shop=demo`);
    const input = buyerPage.getByPlaceholder(/Type a message/);
    await input.fill('How long does shipping take?');
    await input.press('Enter');
    await buyerPage.locator('.msg.bot').first().waitFor({ timeout: 30_000 });
    const who = await eventually(async () => /you are (\S+)/.exec((await buyerPage.locator('#who').textContent()) ?? '')?.[1]);
    const id = wf(who);
    // The shop's order 1001 is this buyer's (as an order import or a platform sync would link it).
    await OrderModel.updateOne({ shopId: 'demo', orderNumber: '1001' }, { $set: { 'buyerIds.webchat': who } });
    await input.fill('I want to talk to a human please');
    await input.press('Enter');

    // It appears in the queue without a reload (SSE).
    const item = desk.locator(`[data-conversation="${id}"]`);
    await item.waitFor({ timeout: 30_000 });
    await eventually(async () => (await desk.locator('.queue-list li').count()) >= 3, 30_000, 'three waiting');
    // The bell counts the handoffs; its list says what happened.
    await desk.locator('[data-testid=unread]').waitFor({ timeout: 30_000 });
    await desk.getByRole('button', { name: /Notifications/ }).click();
    await desk.locator('.notifications li').first().waitFor();
    await desk.screenshot({ path: `${IMAGES}desk-queue.png` });
    await desk.getByRole('button', { name: /Notifications/ }).click();

    // Open it: the transcript has the bot's FAQ answer with its entry and confidence.
    await item.locator('a').click();
    const faq = desk.locator('.faq-match.faq').first();
    await faq.waitFor();
    expect(await faq.textContent()).toMatch(/FAQ.*\d+%/);
    const botAnswer = await MessageModel.findOne({ workflowId: id, author: 'bot', source: 'faq' }).lean();
    expect(botAnswer?.faqEntryId).toBeTruthy();
    expect(botAnswer?.confidence).toBeGreaterThan(0);
    await expect(desk.locator('[data-testid=status]').textContent()).resolves.toBe('Waiting');
    const temporalLink = desk.getByRole('link', { name: /Open in Temporal/ });
    expect(await temporalLink.getAttribute('href')).toContain(`/namespaces/default/workflows/${encodeURIComponent(id)}`);

    // Accept.
    await desk.getByRole('button', { name: 'Accept' }).click();
    await eventually(async () => (await desk.locator('[data-testid=status]').textContent()) === 'With agent', 30_000, 'accepted');
    expect((await ConversationModel.findOne({ workflowId: id }).sort({ openedAt: -1 }).lean())?.agentId).toBe('maria');

    // A canned response fills its placeholders; then the agent's own reply.
    const canned = desk.getByLabel('Canned responses');
    await eventually(async () => (await canned.locator('option').count()) > 1, 10_000, 'canned responses');
    await canned.selectOption({ label: 'Greeting · en' });
    await expect(desk.getByLabel('Reply to the buyer').inputValue()).resolves.toBe(
      `Hi ${who}, this is María López from the store team. I am looking into this for you now.`,
    );
    const reply = 'Hello! I am María from the store team. Your parcel left our warehouse yesterday.';
    await desk.getByLabel('Reply to the buyer').fill(reply);
    await desk.getByRole('button', { name: 'Send', exact: true }).click();
    await desk.locator('.msg.from-agent .bubble', { hasText: 'Your parcel left' }).waitFor({ timeout: 30_000 });

    // The buyer's page shows it (the web chat's reply stream).
    await buyerPage.locator('.msg.agent', { hasText: 'Your parcel left our warehouse' }).waitFor({ timeout: 30_000 });

    // An internal note: shown in the desk, never sent to the buyer.
    await desk.getByRole('button', { name: 'Internal note' }).click();
    await desk.getByLabel('Internal note').fill('Buyer is anxious; check the DHL hub scan tomorrow.');
    await desk.getByRole('button', { name: 'Add note' }).click();
    await desk.locator('.note .bubble', { hasText: 'DHL hub scan' }).waitFor();
    expect(await MessageModel.countDocuments({ workflowId: id, text: /DHL hub scan/ })).toBe(0);
    await desk.getByRole('button', { name: 'Reply', exact: true }).click();
    // Tall enough to show the FAQ answer with its entry and confidence, the reply and the note at once.
    await desk.setViewportSize({ width: 1280, height: 960 });
    await desk.waitForTimeout(300);
    await desk.screenshot({ path: `${IMAGES}desk-conversation.png` });
    await desk.setViewportSize({ width: 1280, height: 800 });

    // Open a ticket from the conversation: it is listed with the conversation's buyer, and its view shows it.
    await desk.getByRole('button', { name: 'Open a ticket' }).click();
    await desk.getByLabel('Ticket subject').fill('Parcel delayed at the DHL hub');
    await desk.getByRole('button', { name: 'Create ticket' }).click();
    await desk.locator('.ticket-view h2', { hasText: 'Parcel delayed' }).waitFor({ timeout: 30_000 });
    const ticket = await TicketModel.findOne({ subject: 'Parcel delayed at the DHL hub' }).lean();
    expect(ticket).toMatchObject({ source: 'agent', status: 'open', conversationIds: [id] });
    await desk.screenshot({ path: `${IMAGES}desk-ticket.png` });
    await desk.goBack();
    await desk.locator('[data-testid=status]').waitFor();

    // Release to the bot.
    await desk.getByRole('button', { name: 'Release to bot' }).click();
    await eventually(async () => (await desk.locator('[data-testid=status]').textContent()) === 'Bot', 30_000, 'released');
    // Each action is a service event (issue 17: agent actions), by the agent who did it.
    const actions = await eventually(async () => {
      const found = await ServiceEventModel.find({ workflowId: id, type: 'agent_action' }).lean();
      return found.some((e) => e.data.action === 'release') ? found : null;
    });
    expect(new Set(actions.map((e) => e.data.action))).toEqual(new Set(['accept', 'message', 'release']));
    expect(actions.every((e) => e.data.agentId === 'maria')).toBe(true);

    // Nothing on either page broke the CSP or threw.
    expect(pageErrors).toEqual([]);
  }, 240_000);

  it('an admin edits canned responses; the routing page shows the server’s answer', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await page.goto(`${app.gateway.url}/desk#/canned`);
    await page.getByLabel('Agent id or e-mail').fill('admin');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Canned responses' }).waitFor();
    await page.locator('.table td', { hasText: 'Tracking link' }).first().waitFor();
    await page.getByLabel('Language').fill('pt');
    await page.getByLabel('Title').fill('Saudação');
    await page.getByLabel('Text', { exact: true }).fill('Olá {buyer_name}, aqui é {agent_name}.');
    await page.getByRole('button', { name: 'Add' }).click();
    await page.locator('.table td', { hasText: 'Saudação' }).waitFor();
    // A placeholder typo is refused with the server's message.
    await page.getByLabel('Title').fill('Typo');
    await page.getByLabel('Text', { exact: true }).fill('see {tracking_url}');
    await page.getByRole('button', { name: 'Add' }).click();
    await page.getByRole('status').filter({ hasText: 'tracking_url' }).waitFor();
    await page.getByRole('link', { name: 'Routing' }).click();
    await page.getByRole('heading', { name: 'Routing rules' }).waitFor();
    // Until the routing API is served here, its 404 message shows; once it is, its JSON does.
    await eventually(
      async () => (await page.getByRole('status').count()) > 0 || (await page.getByLabel('Routing rules JSON').inputValue()) !== '',
    );
    await page.close();
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
