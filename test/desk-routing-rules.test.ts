/**
 * Queues and routing (issue 16 item 2), below the workflow: the pure rule evaluation (first match
 * wins, default queue), the JSON form's validation (errors name the field), and assignment on the
 * MongoDB-wire server (online, language, capacity, least busy / round robin, concurrent routings
 * never exceed capacity, fillAgent on presence).
 */
import { Types } from 'mongoose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AgentModel } from '../models/agent.js';
import { assignConversation, fillAgent, heldCount, speaks } from '../models/assignment.js';
import { disconnectMongo } from '../models/connection.js';
import { ConversationModel } from '../models/conversation.js';
import {
  defaultRoutingConfig,
  evaluateRouting,
  parseRoutingConfig,
  RoutingConfigError,
  RoutingConfigModel,
  saveRoutingConfig,
  type RoutingConfig,
  type RoutingFacts,
} from '../models/routing.js';
import { useFreshDatabase } from './setup/helpers.js';

const config: RoutingConfig = parseRoutingConfig({
  assignment: 'least_busy',
  queues: [
    { id: 'general', name: 'General', escalatesTo: 'supervisors' },
    { id: 'vip', name: 'VIP', escalatesTo: 'supervisors' },
    { id: 'spanish', name: 'Español' },
    { id: 'night', name: 'Night' },
    { id: 'supervisors', name: 'Supervisors' },
  ],
  rules: [
    { when: { outsideHours: true }, queue: 'night' },
    { when: { minOrderValueUsd: 500 }, queue: 'vip', priority: 'high' },
    { when: { languages: ['es'], countries: ['MX', 'es'] }, queue: 'spanish' },
    { when: { channels: ['tiktok'], reasons: ['complaint'] }, queue: 'supervisors', priority: 'urgent' },
  ],
});

const facts = (f: Partial<RoutingFacts> = {}): RoutingFacts => ({
  language: 'en',
  country: 'TH',
  orderValueUsd: null,
  channel: 'webchat',
  reason: 'human_request',
  open: true,
  ...f,
});

describe('rule evaluation (pure)', () => {
  it('the first rule whose every condition holds wins', () => {
    expect(evaluateRouting(config, facts({ orderValueUsd: 800 }))).toMatchObject({ queue: { id: 'vip' }, priority: 'high', rule: 1 });
    // Outside hours comes first, even for a VIP.
    expect(evaluateRouting(config, facts({ orderValueUsd: 800, open: false })).queue.id).toBe('night');
    expect(evaluateRouting(config, facts({ language: 'es-419', country: 'MX' })).queue.id).toBe('spanish');
    expect(evaluateRouting(config, facts({ language: 'es', country: 'ES' })).queue.id).toBe('spanish');
    // Every condition must hold: Spanish from Thailand is not the Spanish queue.
    expect(evaluateRouting(config, facts({ language: 'es', country: 'TH' })).queue.id).toBe('general');
    expect(evaluateRouting(config, facts({ channel: 'tiktok', reason: 'complaint' }))).toMatchObject({
      queue: { id: 'supervisors' },
      priority: 'urgent',
    });
    expect(evaluateRouting(config, facts({ channel: 'tiktok', reason: 'human_request' })).queue.id).toBe('general');
  });

  it('unknown facts never match a condition on them; no match → general at normal priority', () => {
    expect(evaluateRouting(config, facts({ orderValueUsd: null, language: null, country: null }))).toEqual({
      queue: { id: 'general', name: 'General', escalatesTo: 'supervisors' },
      priority: 'normal',
      rule: null,
    });
    expect(evaluateRouting(config, facts({ orderValueUsd: 499.99 })).queue.id).toBe('general');
    expect(evaluateRouting(config, facts({ orderValueUsd: 500 })).queue.id).toBe('vip');
  });

  it('a shop without routing has the one queue "general"; a config without "general" defaults to its first queue', () => {
    expect(evaluateRouting(defaultRoutingConfig(), facts()).queue.id).toBe('general');
    const c = parseRoutingConfig({ queues: [{ id: 'front', name: 'Front desk' }] });
    expect(c.assignment).toBe('least_busy');
    expect(evaluateRouting(c, facts()).queue.id).toBe('front');
  });

  it('refuses a bad config naming every bad field', () => {
    const bad = () =>
      parseRoutingConfig({
        assignment: 'random',
        queues: [
          { id: 'general', name: 'General', escalatesTo: 'nowhere' },
          { id: 'general', name: 'Again' },
          { id: 'Bad Id', name: '' },
        ],
        rules: [
          { when: { countries: ['Thailand'], minOrderValueUsd: -1, languages: [] }, queue: 'vip', priority: 'asap' },
          { when: { colour: 'red' }, queue: 'general' },
        ],
      });
    expect(bad).toThrow(RoutingConfigError);
    let details: Array<{ field: string; problem: string }> = [];
    try {
      bad();
    } catch (e) {
      details = (e as RoutingConfigError).details;
    }
    const fields = details.map((d) => d.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'assignment',
        'queues.2.id',
        'queues.2.name',
        'rules.0.when.countries.0',
        'rules.0.when.minOrderValueUsd',
        'rules.0.when.languages',
        'rules.0.priority',
        'rules.1.when',
      ]),
    );
    // Cross-field checks run once the shapes are right.
    try {
      parseRoutingConfig({
        queues: [
          { id: 'general', name: 'G', escalatesTo: 'nowhere' },
          { id: 'general', name: 'Again' },
        ],
        rules: [{ when: {}, queue: 'vip' }],
      });
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).toContain('queues.1.id: queue "general" is listed twice');
      expect((e as Error).message).toContain('queues.0.escalatesTo: no queue "nowhere"');
      expect((e as Error).message).toContain('rules.0.queue: no queue "vip"');
    }
    expect(() => parseRoutingConfig({ queues: [] })).toThrow(/queues: a shop needs at least one queue/);
  });

  it('language match: an agent without languages speaks every one; "es" covers "es-419"', () => {
    expect(speaks([], 'th')).toBe(true);
    expect(speaks(['es'], 'es-419')).toBe(true);
    expect(speaks(['es-419'], 'es')).toBe(true);
    expect(speaks(['en', 'th'], 'es')).toBe(false);
    expect(speaks(['en'], null)).toBe(true);
  });
});

describe('assignment (MongoDB)', () => {
  beforeAll(async () => {
    await useFreshDatabase('sora_desk_routing_rules');
  });
  afterAll(async () => {
    await disconnectMongo();
  });
  beforeEach(async () => {
    await Promise.all([AgentModel.deleteMany({}), ConversationModel.deleteMany({}), RoutingConfigModel.deleteMany({})]);
  });

  let n = 0;
  async function waiting(
    o: { shopId?: string; language?: string; queueId?: string; priority?: 'low' | 'normal' | 'high' | 'urgent'; waitingSince?: Date } = {},
  ) {
    const c = await ConversationModel.create({
      workflowId: `wf-${++n}`,
      runId: 'r',
      shopId: o.shopId ?? 'shop-a',
      channel: 'webchat',
      buyerId: `b${n}`,
      status: 'waiting_agent',
      language: o.language ?? 'en',
      openedAt: new Date(),
      queueId: o.queueId ?? 'general',
      priority: o.priority ?? 'normal',
      waitingSince: o.waitingSince ?? new Date(),
    });
    return c._id as Types.ObjectId;
  }
  const agent = (
    id: string,
    o: { presence?: 'online' | 'away' | 'offline'; languages?: string[]; capacity?: number; shopIds?: string[] } = {},
  ) =>
    AgentModel.create({
      _id: id,
      name: id,
      email: `${id}@shop.test`,
      shopIds: o.shopIds ?? ['shop-a'],
      languages: o.languages ?? [],
      capacity: o.capacity ?? 2,
      presence: o.presence ?? 'online',
    });

  it('an online agent of the shop with a free slot who speaks the language; else it waits', async () => {
    await agent('off', { presence: 'offline' });
    await agent('away', { presence: 'away' });
    await agent('other-shop', { shopIds: ['shop-b'] });
    await agent('thai', { languages: ['th'] });
    await agent('es', { languages: ['en', 'es'] });
    expect(await assignConversation(await waiting({ language: 'es-419' }))).toBe('es');
    expect(await assignConversation(await waiting({ language: 'vi' }))).toBeNull();
    expect(await assignConversation(await waiting({ language: 'th' }))).toBe('thai');
    const c = await waiting({ language: 'es' });
    expect(await assignConversation(c)).toBe('es'); // capacity 2: its second
    expect(await assignConversation(await waiting({ language: 'es' }))).toBeNull(); // full
    expect(await heldCount('es')).toBe(2);
    // Held = accepted conversations too.
    await ConversationModel.updateOne({ _id: c }, { $set: { status: 'agent', agentId: 'es', assigneeId: 'es' } });
    expect(await heldCount('es')).toBe(2);
  });

  it('least busy by default; round robin takes turns; a queue with agentIds keeps to them', async () => {
    await agent('a1', { capacity: 5 });
    await agent('a2', { capacity: 5 });
    await ConversationModel.create({
      workflowId: 'held',
      runId: 'r',
      shopId: 'shop-a',
      channel: 'webchat',
      buyerId: 'x',
      status: 'agent',
      agentId: 'a1',
      openedAt: new Date(),
    });
    expect(await assignConversation(await waiting())).toBe('a2');
    expect(await assignConversation(await waiting())).toBe('a1'); // 1 and 1: the first by id
    await saveRoutingConfig(
      'shop-a',
      {
        assignment: 'round_robin',
        queues: [
          { id: 'general', name: 'G' },
          { id: 'vip', name: 'VIP', agentIds: ['a2'] },
        ],
      },
      null,
    );
    const order = [];
    for (let i = 0; i < 4; i++) order.push(await assignConversation(await waiting()));
    expect(order).toEqual(['a1', 'a2', 'a1', 'a2']);
    expect(await assignConversation(await waiting({ queueId: 'vip' }))).toBe('a2');
  });

  it('concurrent routings never push an agent over capacity, and a conversation is assigned once', async () => {
    await agent('solo', { capacity: 3 });
    const ids = await Promise.all(Array.from({ length: 8 }, () => waiting()));
    const results = await Promise.all([...ids, ...ids].map((id) => assignConversation(id)));
    expect(await heldCount('solo')).toBe(3);
    expect(await ConversationModel.countDocuments({ assigneeId: 'solo' })).toBe(3);
    expect(results.filter((r) => r === 'solo').length).toBeGreaterThanOrEqual(3);
  });

  it('fillAgent (coming online) takes the most urgent, longest waiting conversations it may, up to capacity', async () => {
    const t0 = Date.now() - 60_000;
    const old = await waiting({ waitingSince: new Date(t0) });
    const urgent = await waiting({ priority: 'urgent', waitingSince: new Date(t0 + 30_000) });
    await waiting({ waitingSince: new Date(t0 + 40_000) });
    await waiting({ language: 'th', waitingSince: new Date(t0 - 10_000) }); // not spoken
    await waiting({ shopId: 'shop-b', waitingSince: new Date(t0 - 10_000) }); // not their shop
    await agent('late', { presence: 'offline', languages: ['en'], capacity: 2 });
    expect(await fillAgent('late')).toEqual([]); // offline: nothing
    await AgentModel.updateOne({ _id: 'late' }, { $set: { presence: 'online' } });
    const got = await fillAgent('late');
    expect(got).toHaveLength(2);
    const assigned = await ConversationModel.find({ assigneeId: 'late' }, { _id: 1 }).lean();
    expect(assigned.map((c) => String(c._id)).sort()).toEqual([String(old), String(urgent)].sort());
    expect(await fillAgent('late')).toEqual([]); // full
  });
});
