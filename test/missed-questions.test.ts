/**
 * Missed questions in the desk (issue 17 item 4), on the real app (web chat, workflow, worker, KB):
 * buyers ask what the demo FAQ does not cover → the questions are clustered by meaning with counts,
 * examples and languages (JSON and CSV); low-confidence answers followed by a handoff or a repeat are
 * listed per FAQ entry; a cluster becomes an FAQ draft, is edited (bad input: 4xx naming the field)
 * and published, which adds the entry to the shop's index without an import — and the next buyer who
 * asks a variant is answered from it through the conversation workflow. Another shop's agent: 404.
 */
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { recordConversation } from '../activities/conversations/records.js';
import { sharedEmbedder } from '../activities/knowledge/embedder.js';
import { addFaqEntry } from '../activities/knowledge/kb-add.js';
import { KbIndex } from '../activities/knowledge/kb-index.js';
import { loadConfig } from '../infra/config/index.js';
import { AgentModel, hashPassword } from '../models/agent.js';
import { disconnectMongo } from '../models/connection.js';
import { FaqEntryModel } from '../models/faq-entry.js';
import { MessageModel } from '../models/message.js';
import { ShopModel } from '../models/shop.js';
import { UnmatchedQuestionModel } from '../models/unmatched-question.js';
import { startApp, type App } from '../scripts/app.js';
import { seedDemoShop } from '../scripts/demo/demo-shop.js';
import type { ConversationState } from '../workflows/types.js';
import { eventually, useFreshDatabase, webchatPost, webchatSession } from './setup/helpers.js';
import { chromiumPath } from './kit/chromium.js';
import { openSse } from './setup/sse.js';

const DB = 'sora_missed';
const PASSWORD = 'missed questions test password';
let app: App;
let base: string;
const sessions: Record<string, { cookie: string; csrf: string }> = {};

const TREES = ['Do you plant a tree for every order?', 'does your company plant trees?', 'do you plant trees when I buy something'];
const OTHER = 'Can I visit your warehouse in person?';
const ANSWER = 'Yes! We plant one tree with our partner One Tree Planted for every order shipped.';

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const PERIOD = `from=${day(-1)}&to=${day(1)}`;

function call(who: string | null, path: string, init: { method?: string; body?: unknown } = {}) {
  const s = who ? sessions[who] : undefined;
  const headers: Record<string, string> = {};
  if (s) headers.cookie = s.cookie;
  if (s && init.method && init.method !== 'GET') headers['x-csrf-token'] = s.csrf;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${base}${path}`, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}
const json = async <T = Record<string, unknown>>(r: Response | Promise<Response>) => (await (await r).json()) as T;

/** A new web chat buyer asks `text`; resolves with the bot's first reply. */
async function ask(text: string): Promise<{ text: string; buyerId: string }> {
  const session = await webchatSession(app.gateway.url);
  const sse = openSse(`${app.gateway.url}/webchat/demo/events`, session.auth);
  await sse.opened;
  const res = await webchatPost(app.gateway.url, session, { messageId: 'q1', text });
  expect(res.status).toBe(202);
  const ev = await eventually(() => sse.events.find((e) => e.event === 'message'), 60_000, `the reply to "${text}"`);
  sse.close();
  return { text: (JSON.parse(ev.data) as { text: string }).text, buyerId: session.buyerId };
}

/** A closed conversation whose FAQ answer (confidence `confidence`) was followed by `then` (recorded through recordConversation). */
async function closedWithAnswer(buyer: string, confidence: number, faqEntryId: string, then: { repeat?: string; handoff?: boolean }) {
  const workflowId = `conv:demo:webchat:${buyer}`;
  const opened = new Date(Date.now() - 3_600_000);
  const t = (s: number) => new Date(opened.getTime() + s * 1000);
  const msg = (o: Record<string, unknown>, n: string) => ({
    channel: 'webchat',
    externalId: `${buyer}-${n}`,
    shopId: 'demo',
    buyerId: buyer,
    workflowId,
    language: 'en',
    ...o,
  });
  await MessageModel.collection.insertMany([
    msg({ direction: 'in', author: 'buyer', text: 'can I change the colour of my order', status: 'received', createdAt: t(1) }, 'q'),
    msg({ direction: 'out', author: 'bot', text: 'ok', source: 'faq', faqEntryId, confidence, status: 'sent', createdAt: t(2) }, 'a'),
    ...(then.repeat ? [msg({ direction: 'in', author: 'buyer', text: then.repeat, status: 'received', createdAt: t(30) }, 'r')] : []),
  ]);
  const state = {
    status: 'closed',
    turns: 2,
    intent: 'order_change',
    language: 'en',
    orderValueUsd: null,
    complaintStreak: 0,
    lowConfidenceStreak: 0,
    handoffReason: then.handoff ? 'low_confidence' : null,
    agentId: null,
    tier: 0,
    escalated: false,
    openedAt: opened.getTime(),
    closedAt: t(120).getTime(),
    closeReason: 'resolved',
    npsScore: null,
    resolved: !then.handoff,
  } as unknown as ConversationState;
  await recordConversation({ workflowId, runId: 'r', shopId: 'demo', channel: 'webchat', buyerId: buyer, state });
}

interface Report {
  questions: number;
  clusters: Array<{
    id: string;
    count: number;
    representative: string;
    examples: string[];
    languages: Record<string, number>;
    draftId: string | null;
  }>;
  lowConfidence: {
    below: number;
    answers: number;
    groups: Array<{ faqEntryId: string; faqQuestion: string; count: number; handoffs: number; repeats: number; examples: unknown[] }>;
  };
}
interface Draft {
  id: string;
  question: string;
  variants: string[];
  answer: string;
  intent: string;
  language: string;
  status: string;
  questions: number;
  suggestion: { intent: string; confidence: number } | null;
}

let faqId: string;
beforeAll(async () => {
  await useFreshDatabase(DB);
  await seedDemoShop();
  await ShopModel.updateOne({ shopId: 'other' }, { $setOnInsert: { shopId: 'other', name: 'Other' } }, { upsert: true });
  const hash = await hashPassword(PASSWORD);
  await AgentModel.create([
    { _id: 'ana', name: 'Ana', email: 'ana@demo.test', role: 'agent', shopIds: ['demo'], passwordHash: hash },
    { _id: 'bob', name: 'Bob', email: 'bob@other.test', role: 'agent', shopIds: ['other'], passwordHash: hash },
  ]);
  app = await startApp({
    config: loadConfig({ SORA_LOG_LEVEL: 'silent' }),
    mongoUri: inject('mongoUri').replace(/\/[^/]*$/, `/${DB}`),
    temporal: { address: inject('temporalAddress'), namespace: 'default' },
    gatewayPort: 0,
    relayIntervalMs: 600_000,
    webchatPollMs: 200,
    printOperatorToken: () => {},
    printDeskSetup: () => {},
  });
  base = `${app.gateway.url}/desk/api`;
  for (const [who, login] of [
    ['ana', 'ana@demo.test'],
    ['bob', 'bob@other.test'],
  ] as const) {
    const res = await fetch(`${base}/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login, password: PASSWORD }),
    });
    expect(res.status).toBe(201);
    sessions[who] = {
      cookie: res.headers.get('set-cookie')!.split(';')[0]!,
      csrf: ((await res.json()) as { csrfToken: string }).csrfToken,
    };
  }
  for (const q of [...TREES, OTHER]) await ask(q);
  await eventually(async () => (await UnmatchedQuestionModel.countDocuments({ shopId: 'demo' })) >= 4, 30_000, 'the unmatched questions');
  faqId = (await FaqEntryModel.findOne({ shopId: 'demo' }, { questionId: 1 }).lean())!.questionId;
  await closedWithAnswer('lc-repeat', 0.35, faqId, { repeat: 'Can I change the colour of my order?' });
  await closedWithAnswer('lc-handoff', 0.4, faqId, { handoff: true });
  await closedWithAnswer('lc-fine', 0.42, faqId, { repeat: 'thanks, and where is my parcel?' });
  await closedWithAnswer('hc-handoff', 0.95, faqId, { handoff: true });
}, 240_000);

afterAll(async () => {
  await app?.stop();
  await disconnectMongo();
});

describe('GET /desk/api/reports/missed-questions', () => {
  it('clusters the unmatched questions by meaning, largest first, with examples and languages', async () => {
    const res = await call('ana', `/reports/missed-questions?shop=demo&${PERIOD}`);
    expect(res.status).toBe(200);
    const r = (await res.json()) as Report;
    expect(r.clusters.map((c) => c.count)).toEqual([3, 1]);
    const trees = r.clusters[0]!;
    expect(TREES).toContain(trees.representative);
    expect([...trees.examples].sort()).toEqual([...TREES].sort());
    expect(trees.languages).toEqual({ en: 3 });
    expect(trees.id).toMatch(/^[0-9a-f]{16}$/);
    expect(r.clusters[1]!.examples).toEqual([OTHER]);
    // The id is stable: asked again, the same cluster has the same id.
    const again = await json<Report>(call('ana', `/reports/missed-questions?shop=demo&${PERIOD}`));
    expect(again.clusters[0]!.id).toBe(trees.id);
    // Outside the period: nothing.
    const before = await json<Report>(call('ana', `/reports/missed-questions?shop=demo&from=${day(-30)}&to=${day(-20)}`));
    expect(before.clusters).toEqual([]);
  });

  it('lists low-confidence answers followed by a handoff or a repeat, by FAQ entry', async () => {
    const r = await json<Report>(call('ana', `/reports/missed-questions?shop=demo&${PERIOD}`));
    // lc-repeat (repeat) and lc-handoff (handoff); lc-fine moved on, hc-handoff was confident.
    expect(r.lowConfidence.below).toBe(0.5);
    expect(r.lowConfidence.answers).toBe(2);
    expect(r.lowConfidence.groups).toHaveLength(1);
    expect(r.lowConfidence.groups[0]).toMatchObject({ faqEntryId: faqId, count: 2, handoffs: 1, repeats: 1 });
    expect(r.lowConfidence.groups[0]!.faqQuestion).toBeTruthy();
    const strict = await json<Report>(call('ana', `/reports/missed-questions?shop=demo&${PERIOD}&below=0.38`));
    expect(strict.lowConfidence.groups[0]).toMatchObject({ count: 1, repeats: 1, handoffs: 0 });
  });

  it('exports CSV', async () => {
    const res = await call('ana', `/reports/missed-questions?shop=demo&${PERIOD}&format=csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/csv/);
    const text = await res.text();
    expect(text.split('\n')[0]).toBe('cluster_id,count,representative,languages,examples');
    expect(text).toMatch(/,3,[^\n]*tree[^\n]*,en:3,/i);
    expect(text).toContain('faq_entry_id,faq_question,low_confidence_answers,handoffs,repeats,mean_confidence,example_question');
    expect(text).toContain(`${faqId},`);
  });

  it('refuses bad input with a 422 naming it, and another shop with a 404', async () => {
    for (const [q, field] of [
      [`from=${day(-1)}`, 'to'],
      [`from=2026-13-01&to=${day(1)}`, 'from'],
      [`from=${day(1)}&to=${day(-1)}`, 'to'],
      [`${PERIOD}&format=xml`, 'format'],
      [`${PERIOD}&below=2`, 'below'],
    ]) {
      const r = await call('ana', `/reports/missed-questions?shop=demo&${q}`);
      expect(r.status, q).toBe(422);
      expect(JSON.stringify(await r.json()), q).toContain(field);
    }
    expect((await call(null, `/reports/missed-questions?shop=demo&${PERIOD}`)).status).toBe(401);
    expect((await call('bob', `/reports/missed-questions?shop=demo&${PERIOD}`)).status).toBe(404);
  });
});

describe('from a cluster to a published FAQ entry', () => {
  let draft: Draft;
  let clusterId: string;

  it('makes a draft from a cluster: representative question, variants, suggested intent, no answer', async () => {
    clusterId = (await json<Report>(call('ana', `/reports/missed-questions?shop=demo&${PERIOD}`))).clusters[0]!.id;
    expect(
      (
        await call('bob', `/reports/missed-questions/${clusterId}/draft`, {
          method: 'POST',
          body: { shop: 'demo', from: day(-1), to: day(1) },
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await call('ana', `/reports/missed-questions/ffffffffffffffff/draft`, {
          method: 'POST',
          body: { shop: 'demo', from: day(-1), to: day(1) },
        })
      ).status,
    ).toBe(404);
    expect((await call('ana', `/reports/missed-questions/${clusterId}/draft`, { method: 'POST', body: { shop: 'demo' } })).status).toBe(
      422,
    );
    const res = await call('ana', `/reports/missed-questions/${clusterId}/draft`, {
      method: 'POST',
      body: { shop: 'demo', from: day(-1), to: day(1) },
    });
    expect(res.status).toBe(201);
    draft = (await res.json()) as Draft;
    expect(TREES).toContain(draft.question);
    expect([draft.question, ...draft.variants].sort()).toEqual([...TREES].sort());
    expect(draft).toMatchObject({ answer: '', language: 'en', status: 'draft', questions: 3 });
    expect(draft.intent).toMatch(/^[a-z0-9_.-]+$/);
    expect(draft.suggestion?.intent).toBe(draft.intent);
    // Asked again: the same draft; the report names it.
    const again = await call('ana', `/reports/missed-questions/${clusterId}/draft`, {
      method: 'POST',
      body: { shop: 'demo', from: day(-1), to: day(1) },
    });
    expect(again.status).toBe(200);
    expect(((await again.json()) as Draft).id).toBe(draft.id);
    const r = await json<Report>(call('ana', `/reports/missed-questions?shop=demo&${PERIOD}`));
    expect(r.clusters[0]!.draftId).toBe(draft.id);
    const list = await json<{ drafts: Draft[] }>(call('ana', '/shops/demo/faq-drafts'));
    expect(list.drafts.map((d) => d.id)).toEqual([draft.id]);
    expect((await call('bob', '/shops/demo/faq-drafts')).status).toBe(404);
  });

  it('edits are validated (4xx naming the field) and publishing needs an answer', async () => {
    const path = `/shops/demo/faq-drafts/${draft.id}`;
    for (const [body, field] of [
      [{ variants: 'plant trees?' }, 'variants'],
      [{ intent: 'Not An Intent!' }, 'intent'],
      [{ language: 'english' }, 'language'],
      [{ question: '   ' }, 'question'],
      [{ answer: 'x'.repeat(5000) }, 'answer'],
      [{ colour: 'green' }, 'colour'],
    ] as const) {
      const r = await call('ana', path, { method: 'PUT', body });
      expect(r.status, JSON.stringify(body)).toBe(422);
      expect(JSON.stringify(await r.json())).toContain(field);
    }
    expect((await call('ana', '/shops/demo/faq-drafts/000000000000000000000000', { method: 'PUT', body: { answer: 'x' } })).status).toBe(
      404,
    );
    expect((await call('bob', path, { method: 'PUT', body: { answer: 'x' } })).status).toBe(404);
    const noAnswer = await call('ana', `${path}/publish`, { method: 'POST' });
    expect(noAnswer.status).toBe(422);
    expect(JSON.stringify(await noAnswer.json())).toContain('answer');
    const ok = await call('ana', path, {
      method: 'PUT',
      body: { answer: ANSWER, intent: 'sustainability', variants: [...draft.variants, 'are trees planted for orders'] },
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ answer: ANSWER, intent: 'sustainability', status: 'draft' });
  });

  it('publishes: the entry joins the shop index without an import, the cluster leaves the list, a buyer asking a variant gets the new answer', async () => {
    const before = (await ShopModel.findOne({ shopId: 'demo' }).lean())!;
    const entries = await FaqEntryModel.countDocuments({ shopId: 'demo' });
    expect((await call('bob', `/shops/demo/faq-drafts/${draft.id}/publish`, { method: 'POST' })).status).toBe(404);
    const res = await call('ana', `/shops/demo/faq-drafts/${draft.id}/publish`, { method: 'POST' });
    expect(res.status).toBe(200);
    const out = (await res.json()) as Draft & { kbVersion: number; resolvedQuestions: number; questionId: string };
    expect(out).toMatchObject({
      status: 'published',
      kbVersion: before.kbVersion + 1,
      resolvedQuestions: 3,
      questionId: `desk-${draft.id}`,
    });
    // End to end (before this, the same question was not understood): a new buyer asks a variant, the workflow answers from the new entry.
    const reply = await ask('Do you plant a tree for each order?');
    expect(reply.text).toBe(ANSWER);
    const sent = await MessageModel.findOne({ workflowId: `conv:demo:webchat:${reply.buyerId}`, direction: 'out' }).lean();
    expect(sent).toMatchObject({ source: 'faq', faqEntryId: out.questionId });
    expect(await FaqEntryModel.countDocuments({ shopId: 'demo' })).toBe(entries + 1);
    const entry = await FaqEntryModel.findOne({ shopId: 'demo', questionId: out.questionId }).lean();
    expect(entry).toMatchObject({ origin: 'desk', intent: 'sustainability' });
    expect(entry!.vectors).toHaveLength(1 + entry!.variants.length);
    const shop = (await ShopModel.findOne({ shopId: 'demo' }).lean())!;
    expect(shop.kbAdds.at(-1)).toEqual({ version: out.kbVersion, questionId: out.questionId });
    expect((await call('ana', `/shops/demo/faq-drafts/${draft.id}/publish`, { method: 'POST' })).status).toBe(409);
    expect((await call('ana', `/shops/demo/faq-drafts/${draft.id}`, { method: 'PUT', body: { answer: 'x' } })).status).toBe(409);
    // The cluster is resolved: it leaves the top list.
    const r = await json<Report>(call('ana', `/reports/missed-questions?shop=demo&${PERIOD}`));
    expect(r.clusters.map((c) => c.count)).toEqual([1]);
  });
});

describe('the KB index: an added entry extends the index in memory', () => {
  it('builds incrementally after an add, and fully after an import', async () => {
    const embedder = sharedEmbedder();
    const index = new KbIndex(embedder);
    const first = await index.forShop('demo');
    expect(first.built).toBe('full');
    await addFaqEntry(
      'demo',
      {
        questionId: 'gift-wrap',
        intent: 'gift_wrap',
        question: 'Do you offer gift wrapping?',
        variants: ['can you wrap my order as a present'],
        answers: { en: 'Yes, gift wrapping is free.' },
      },
      embedder,
    );
    const next = await index.forShop('demo');
    expect(next.built).toBe('incremental');
    expect(next.entries).toBe(first.entries + 1);
    const [v] = await embedder.embed(['can you gift wrap my order'], 'query');
    expect(next.match(v!)?.questionId).toBe('gift-wrap');
    // A version without a note (an import empties them): the whole KB is read again.
    await ShopModel.updateOne({ shopId: 'demo' }, { $inc: { kbVersion: 1 }, $set: { kbAdds: [] } });
    const { noteKbVersion } = await import('../activities/knowledge/kb-version.js');
    noteKbVersion('demo', (await ShopModel.findOne({ shopId: 'demo' }).lean())!.kbVersion);
    expect((await index.forShop('demo')).built).toBe('full');
  });
});

const CHROMIUM = chromiumPath();

describe.skipIf(!CHROMIUM)('the Missed questions page in Chromium', () => {
  it('shows the chart, the clusters and the low-confidence answers; a cluster becomes a draft that is published', async () => {
    // More unanswered questions, recorded as the understand activity records them (text, language, vector), for a fuller page.
    const embedder = sharedEmbedder();
    const more: Array<[string, string]> = [
      ['Do you sell gift cards?', 'en'],
      ['can I buy a gift card for my sister', 'en'],
      ['gift card available?', 'en'],
      ['¿Venden tarjetas de regalo?', 'es'],
      ['Is there a loyalty points programme?', 'en'],
      ['do I earn points when I shop', 'en'],
    ];
    const vectors = await embedder.embed(
      more.map(([t]) => t),
      'query',
    );
    await UnmatchedQuestionModel.insertMany(
      more.map(([text, language], i) => ({
        shopId: 'demo',
        text,
        language,
        vector: Array.from(vectors[i]!),
        embedModel: embedder.model,
        workflowId: `conv:demo:webchat:seeded-${i}`,
      })),
    );
    const browser = await chromium.launch({ executablePath: CHROMIUM!, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    const errors: string[] = [];
    try {
      const page = await (await browser.newContext({ viewport: { width: 1280, height: 1600 } })).newPage();
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('console', (m) => {
        if (m.type() === 'error' && !/^Failed to load resource/.test(m.text())) errors.push(m.text());
      });
      await page.goto(`${app.gateway.url}/desk`);
      await page.getByLabel('Agent id or e-mail').fill('ana@demo.test');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('link', { name: 'Missed' }).click();
      await page.getByRole('heading', { name: 'Missed questions' }).waitFor();
      const row = page.locator('.missed-clusters tbody tr', { hasText: OTHER });
      await row.waitFor();
      await page.locator('.missed .chart canvas').first().waitFor({ timeout: 10_000 });
      expect(await page.locator('.missed-low tbody tr').first().textContent()).toContain(faqId);
      await row.getByRole('button', { name: 'Make FAQ draft' }).click();
      const editor = page.locator('form.faq-draft');
      await editor.waitFor();
      expect(await editor.getByLabel('Question').inputValue()).toBe(OTHER);
      expect(await editor.getByRole('button', { name: 'Publish' }).isDisabled()).toBe(true);
      await editor.getByLabel('Answer').fill('Our warehouse is not open to visitors, sorry.');
      // The README's screenshot (docs/images/desk-missed.png) is of the demo month: test/desk-insights-browser.test.ts.
      await editor.getByRole('button', { name: 'Publish' }).click();
      await editor.getByText(/Published as desk-/).waitFor();
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);
});
