/**
 * Machine translation in the desk (docs/translation.md), on the real stack (Temporal dev server,
 * MongoDB-wire server, worker, gateway) with the local DeepL fake (test/setup/translation-apis.ts,
 * which upper-cases what it translates and prefixes the target language):
 * - review of machine-translated FAQ answers: auth, shop scope, approve, edit → seller-written;
 * - the shop glossary (admins write it);
 * - live: a buyer message translated into the agent's language (never cached), a reply sent in the
 *   buyer's language with the agent's text kept on the message record;
 * - no provider: the routes answer 409 {"error":"no_translator"} and nothing is called;
 * - in Chromium (when installed): the buttons, the review page, screenshots in docs/images/.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { translateMissingAnswers } from '../activities/knowledge/kb-translate.js';
import { faqAnswers } from '../activities/knowledge/kb-version.js';
import { conversationWorkflowId } from '../bots/channel.js';
import { loadConfig } from '../infra/config/index.js';
import { createTranslator, type Translator } from '../infra/translation/index.js';
import { AgentModel, hashPassword } from '../models/agent.js';
import { disconnectMongo } from '../models/connection.js';
import { ConversationModel } from '../models/conversation.js';
import { FaqEntryModel } from '../models/faq-entry.js';
import { MessageModel } from '../models/message.js';
import { ShopModel } from '../models/shop.js';
import { TranslationCacheModel, translationStore } from '../models/translation-cache.js';
import { startApp, type App } from '../scripts/app.js';
import { seedDemoShop } from '../scripts/demo/demo-shop.js';
import { eventually, useFreshDatabase, webchatPost, webchatSession } from './setup/helpers.js';
import { chromiumPath } from './kit/chromium.js';
import { startDeepl, type FakeApi } from './setup/translation-apis.js';

const KEY = 'deepl-desk-test-key:fx';
const PASSWORD = 'desk translation test password';
const DB = 'sora_desk_translation';
const IMAGES = fileURLToPath(new URL('../docs/images/', import.meta.url));

let app: App;
let bare: App;
let fake: FakeApi;
let translator: Translator;
interface Session {
  cookie: string;
  csrf: string;
}
const sessions: Record<string, Session> = {};

async function signIn(url: string, login: string): Promise<Session> {
  const res = await fetch(`${url}/desk/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login, password: PASSWORD }),
  });
  expect(res.status).toBe(201);
  return { cookie: res.headers.get('set-cookie')!.split(';')[0]!, csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
}

function call(who: string | null, path: string, init: { method?: string; body?: unknown; url?: string } = {}) {
  const s = who ? sessions[who]! : null;
  const headers: Record<string, string> = {};
  if (s) headers.cookie = s.cookie;
  if (s && init.method && init.method !== 'GET') headers['x-csrf-token'] = s.csrf;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${init.url ?? app.gateway.url}/desk/api${path}`, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}
const json = async <T = Record<string, unknown>>(r: Response | Promise<Response>) => (await (await r).json()) as T;
const wf = (buyerId: string) => conversationWorkflowId({ shopId: 'demo', channel: 'webchat', buyerId });
type Item = {
  questionId: string;
  language: string;
  sourceLanguage: string;
  source: string;
  translation: string;
  provider: string;
  reviewedBy: string | null;
};

beforeAll(async () => {
  await useFreshDatabase(DB);
  await seedDemoShop();
  await ShopModel.updateOne({ shopId: 'demo' }, { $set: { languages: ['en', 'es', 'vi'] } });
  await ShopModel.create({ shopId: 'other', name: 'Other', defaultLanguage: 'en' });
  const passwordHash = await hashPassword(PASSWORD);
  await AgentModel.create([
    { _id: 'ana', name: 'Ana Silva', email: 'ana@demo.test', role: 'agent', shopIds: ['demo'], passwordHash },
    { _id: 'root', name: 'Root', email: 'root@demo.test', role: 'admin', shopIds: ['demo'], passwordHash },
    { _id: 'bob', name: 'Bob', email: 'bob@other.test', role: 'agent', shopIds: ['other'], passwordHash },
  ]);
  fake = await startDeepl(KEY);
  translator = createTranslator(
    loadConfig({ SORA_TRANSLATOR: 'deepl', SORA_DEEPL_API_KEY: KEY, SORA_DEEPL_BASE_URL: fake.url }).translation,
    { store: translationStore },
  )!;
  const config = loadConfig({ SORA_LOG_LEVEL: 'silent' });
  const mongoUri = inject('mongoUri').replace(/\/[^/]*$/, `/${DB}`);
  const temporal = { address: inject('temporalAddress'), namespace: 'default' };
  app = await startApp({
    config,
    mongoUri,
    temporal,
    gatewayPort: 0,
    relayIntervalMs: 500,
    webchatPollMs: 200,
    signalDeadlineMs: 2000,
    printOperatorToken: () => {},
    translator,
  });
  // The same data behind a gateway without a provider (SORA_TRANSLATOR=none).
  bare = await startApp({ config, mongoUri, temporal, worker: false, gatewayPort: 0, printOperatorToken: () => {}, translator: null });
  for (const who of ['ana', 'root', 'bob']) sessions[who] = await signIn(app.gateway.url, who);
  // The demo FAQ has English (and some Spanish) answers: the rest is machine-translated once.
  const r = await translateMissingAnswers('demo', translator);
  expect(r.translated).toBeGreaterThan(0);
}, 180_000);

afterAll(async () => {
  await bare?.stop();
  await app?.stop();
  await fake?.close();
  await disconnectMongo();
});

describe('desk: machine-translated FAQ answers', () => {
  it('every route needs a signed-in agent (401)', async () => {
    for (const [method, p] of [
      ['GET', '/translation'],
      ['PUT', '/translation/me'],
      ['GET', '/shops/demo/machine-answers'],
      ['POST', '/shops/demo/machine-answers/x/vi/approve'],
      ['PUT', '/shops/demo/machine-answers/x/vi'],
      ['GET', '/shops/demo/glossary'],
      ['PUT', '/shops/demo/glossary'],
      ['POST', `/conversations/${encodeURIComponent(wf('x'))}/messages/aaaaaaaaaaaaaaaaaaaaaaaa/translate`],
      ['POST', `/conversations/${encodeURIComponent(wf('x'))}/message-translated`],
    ] as const)
      expect((await call(null, p, { method, body: method === 'GET' ? undefined : {} })).status, `${method} ${p}`).toBe(401);
  });

  it('lists the machine answers of the shop (language, source, translation, provider); another shop’s agent gets 404', async () => {
    const list = await json<{ items: Item[]; provider: string }>(call('ana', '/shops/demo/machine-answers'));
    expect(list.provider).toBe('deepl');
    expect(list.items.length).toBeGreaterThan(1);
    const vi = list.items.find((i) => i.language === 'vi')!;
    expect(vi).toMatchObject({ sourceLanguage: 'en', provider: 'deepl', reviewedBy: null });
    expect(vi.translation).toBe(`[VI] ${vi.source.toUpperCase()}`);
    expect((await call('bob', '/shops/demo/machine-answers')).status).toBe(404);
    expect((await call('ana', '/shops/demo/machine-answers?status=nope')).status).toBe(422);
  });

  it('approve marks it reviewed; edit makes it the seller’s own answer, served to buyers', async () => {
    const items = (await json<{ items: Item[] }>(call('ana', '/shops/demo/machine-answers'))).items.filter((i) => i.language === 'vi');
    const [a, b] = items as [Item, Item];
    const path = (i: Item) => `/shops/demo/machine-answers/${encodeURIComponent(i.questionId)}/${i.language}`;
    const ok = await call('ana', `${path(a)}/approve`, { method: 'POST', body: {} });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ questionId: a.questionId, reviewedBy: 'ana' });
    const unreviewed = (await json<{ items: Item[] }>(call('ana', '/shops/demo/machine-answers'))).items;
    expect(unreviewed.some((i) => i.questionId === a.questionId && i.language === 'vi')).toBe(false);
    const all = (await json<{ items: Item[] }>(call('ana', '/shops/demo/machine-answers?status=all'))).items;
    expect(all.find((i) => i.questionId === a.questionId && i.language === 'vi')?.reviewedBy).toBe('ana');

    expect((await call('ana', path(b), { method: 'PUT', body: { text: '  ' } })).status).toBe(422);
    expect((await call('ana', '/shops/demo/machine-answers/nope/vi/approve', { method: 'POST', body: {} })).status).toBe(404);
    expect(
      (await call('ana', `/shops/demo/machine-answers/${encodeURIComponent(b.questionId)}/v!/approve`, { method: 'POST', body: {} }))
        .status,
    ).toBe(422);
    const edited = 'Câu trả lời do người bán viết.';
    const put = await call('ana', path(b), { method: 'PUT', body: { text: edited } });
    expect(put.status).toBe(200);
    const e = await FaqEntryModel.findOne({ shopId: 'demo', questionId: b.questionId }).lean();
    expect((e!.answers as unknown as Record<string, string>).vi).toBe(edited);
    expect((e!.machineAnswers as unknown as Record<string, unknown> | undefined)?.vi).toBeUndefined();
    await eventually(async () => (await faqAnswers('demo', b.questionId))?.vi === edited, 10_000, 'edited answer served');
    // Seller-written now: a new translation run leaves it alone.
    const before = fake.requests.length;
    await translateMissingAnswers('demo', translator);
    expect(fake.requests.length).toBe(before);
  });

  it('the glossary: every agent of the shop reads it, admins write it', async () => {
    expect((await call('ana', '/shops/demo/glossary', { method: 'PUT', body: { terms: ['Sora'] } })).status).toBe(403);
    expect((await call('root', '/shops/demo/glossary', { method: 'PUT', body: { terms: 'Sora' } })).status).toBe(422);
    expect(
      (await call('root', '/shops/demo/glossary', { method: 'PUT', body: { terms: ['Sora Demo Store', 'size XL', 'Sora Demo Store'] } }))
        .status,
    ).toBe(200);
    const g = await json<{ terms: string[]; skus: string[] }>(call('ana', '/shops/demo/glossary'));
    expect(g.terms).toEqual(['Sora Demo Store', 'size XL']);
    expect(Array.isArray(g.skus)).toBe(true);
    expect((await call('bob', '/shops/demo/glossary')).status).toBe(404);
  });
});

describe('desk: live translation for agents', () => {
  let buyerId = '';
  let convPath = '';
  it('a buyer message is translated into the agent’s language on demand, never cached', async () => {
    const s = await webchatSession(app.gateway.url);
    buyerId = s.buyerId;
    convPath = `/conversations/${encodeURIComponent(wf(buyerId))}`;
    expect((await webchatPost(app.gateway.url, s, { messageId: 'm1', text: 'I want to talk to a human please' })).status).toBe(202);
    await eventually(
      async () => (await ConversationModel.findOne({ workflowId: wf(buyerId) }).lean())?.status === 'waiting_agent',
      30_000,
      'handoff',
    );
    // Ana reads Spanish.
    expect((await call('ana', '/translation/me', { method: 'PUT', body: { readLanguage: 'xx_1' } })).status).toBe(422);
    expect((await call('ana', '/translation/me', { method: 'PUT', body: { readLanguage: 'es' } })).status).toBe(200);
    expect(await json(call('ana', '/translation?shop=demo'))).toMatchObject({
      provider: 'deepl',
      readLanguage: 'es',
      readLanguageSetting: 'es',
    });
    const buyerMsg = await MessageModel.findOne({ workflowId: wf(buyerId), author: 'buyer' }).lean();
    const cachedBefore = await TranslationCacheModel.countDocuments();
    const t = await call('ana', `${convPath}/messages/${String(buyerMsg!._id)}/translate`, { method: 'POST', body: {} });
    expect(t.status).toBe(200);
    expect(await t.json()).toMatchObject({ text: '[ES] I WANT TO TALK TO A HUMAN PLEASE', to: 'es', provider: 'deepl' });
    expect(await TranslationCacheModel.countDocuments()).toBe(cachedBefore);
    expect((await call('bob', `${convPath}/messages/${String(buyerMsg!._id)}/translate`, { method: 'POST', body: {} })).status).toBe(404);
    expect((await call('ana', `${convPath}/messages/nope/translate`, { method: 'POST', body: {} })).status).toBe(422);
  });

  it('a reply is sent in the buyer’s language; the agent’s text is kept on the message record', async () => {
    expect((await call('ana', `${convPath}/accept`, { method: 'POST', body: {} })).status).toBe(202);
    await eventually(
      async () => (await ConversationModel.findOne({ workflowId: wf(buyerId) }).lean())?.status === 'agent',
      30_000,
      'accepted',
    );
    expect((await call('ana', `${convPath}/message-translated`, { method: 'POST', body: { text: '' } })).status).toBe(422);
    const r = await call('ana', `${convPath}/message-translated`, { method: 'POST', body: { text: 'Hola, ¿en qué puedo ayudarte?' } });
    expect(r.status).toBe(202);
    expect(await r.json()).toMatchObject({ text: '[EN-US] HOLA, ¿EN QUÉ PUEDO AYUDARTE?', language: 'en', originalLanguage: 'es' });
    const sent = await eventually(
      () => MessageModel.findOne({ workflowId: wf(buyerId), author: 'agent', originalText: { $exists: true } }).lean(),
      30_000,
      'the translated reply recorded',
    );
    expect(sent).toMatchObject({
      text: '[EN-US] HOLA, ¿EN QUÉ PUEDO AYUDARTE?',
      language: 'en',
      originalText: 'Hola, ¿en qué puedo ayudarte?',
      originalLanguage: 'es',
      translatedBy: 'deepl',
      agentId: 'ana',
    });
    const transcript = await json<{ messages: Array<{ author: string; text: string; original?: unknown }> }>(
      call('ana', `${convPath}/messages`),
    );
    expect(transcript.messages.find((m) => m.author === 'agent' && m.original)?.original).toEqual({
      text: 'Hola, ¿en qué puedo ayudarte?',
      language: 'es',
      provider: 'deepl',
    });
  });

  it('without a provider: 409 no_translator, nothing is called', async () => {
    const ana = await signIn(bare.gateway.url, 'ana');
    const before = fake.requests.length;
    const buyerMsg = await MessageModel.findOne({ workflowId: wf(buyerId), author: 'buyer' }).lean();
    const post = (p: string, body: unknown) =>
      fetch(`${bare.gateway.url}/desk/api${p}`, {
        method: 'POST',
        headers: { cookie: ana.cookie, 'x-csrf-token': ana.csrf, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const t = await post(`${convPath}/messages/${String(buyerMsg!._id)}/translate`, {});
    expect(t.status).toBe(409);
    expect(await t.json()).toMatchObject({ error: 'no_translator' });
    const m = await post(`${convPath}/message-translated`, { text: 'hola' });
    expect(m.status).toBe(409);
    expect(await m.json()).toMatchObject({ error: 'no_translator' });
    const info = await fetch(`${bare.gateway.url}/desk/api/translation`, { headers: { cookie: ana.cookie } });
    expect(await info.json()).toMatchObject({ provider: null });
    expect(fake.requests.length).toBe(before);
  });
});

const CHROMIUM = chromiumPath();
describe.skipIf(!CHROMIUM)('desk: translation in the browser', () => {
  let browser: Browser;
  afterAll(() => browser?.close());
  it('the conversation view translates a buyer message; the review page lists and approves', async () => {
    mkdirSync(IMAGES, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM!, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    // A Vietnamese buyer waiting for an agent who reads English.
    await AgentModel.updateOne({ _id: 'root' }, { $set: { readLanguage: null } });
    const s = await webchatSession(app.gateway.url);
    await webchatPost(app.gateway.url, s, { messageId: 'v1', text: 'Tôi muốn đổi size áo, làm thế nào?' });
    await eventually(
      async () => (await MessageModel.countDocuments({ workflowId: wf(s.buyerId), direction: 'out' })) >= 1,
      30_000,
      'bot answer',
    );
    await webchatPost(app.gateway.url, s, { messageId: 'v2', text: 'I want to talk to a human' });
    await eventually(
      async () => (await ConversationModel.findOne({ workflowId: wf(s.buyerId) }).lean())?.status === 'waiting_agent',
      30_000,
      'handoff',
    );
    await MessageModel.updateOne({ workflowId: wf(s.buyerId), author: 'buyer', text: /^Tôi/ }, { $set: { language: 'vi' } });

    await page.goto(`${app.gateway.url}/desk`);
    await page.getByLabel('Agent id or e-mail').fill('root@demo.test');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.goto(`${app.gateway.url}/desk#/inbox/waiting/${encodeURIComponent(wf(s.buyerId))}`);
    const button = page.getByRole('button', { name: 'Translate to en' });
    await button.first().waitFor({ timeout: 30_000 });
    await button.first().click();
    const shown = page.locator('[data-testid=translation]').first();
    await shown.waitFor();
    expect(await shown.textContent()).toContain('[EN-US] TÔI MUỐN ĐỔI SIZE ÁO');
    await page.screenshot({ path: `${IMAGES}desk-live-translation.png` });

    await page.goto(`${app.gateway.url}/desk#/translations`);
    const rows = page.locator('[data-testid=machine-answer]');
    await rows.first().waitFor({ timeout: 30_000 });
    const n = await rows.count();
    await page.screenshot({ path: `${IMAGES}desk-translations.png` });
    await rows.first().getByRole('button', { name: 'Approve' }).click();
    await eventually(async () => (await rows.count()) === n - 1, 10_000, 'approved row gone');
    expect(errors).toEqual([]);
  });
});
