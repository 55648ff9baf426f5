/**
 * The conversation lifecycle and the answer plan as plain code (no Temporal): every transition of
 * docs/conversation-lifecycle.md, the timers each state keeps, and how the order in focus is chosen.
 */
import { describe, expect, it } from 'vitest';
import type { OrderFact, Understanding } from '../activities/index.js';
import { conversationConfig } from '../temporal.config.js';
import { chooseFocus, needsOrderFacts, planAnswer, replyLocale, withoutUnavailable } from '../workflows/conversation/answer-plan.js';
import { ConversationLifecycle, initialState, normalizeState } from '../workflows/conversation/lifecycle.js';
import type { ConversationConfig, ConversationState } from '../workflows/types.js';

const MIN = 60_000;
const config: ConversationConfig = { ...conversationConfig(), agentSlaMs: 3 * MIN, maxEscalationTiers: 2, agentIdleCloseMs: 24 * 60 * MIN };
const fresh = (now = 0) => new ConversationLifecycle(initialState(now), config);
const u = (over: Partial<Understanding> = {}): Understanding => ({
  language: 'en',
  intent: 'payment',
  confidence: 0.9,
  faqId: 'pay-1',
  understood: true,
  complaint: false,
  humanRequest: false,
  orderNumbers: [],
  trackingNumbers: [],
  skus: [],
  countries: [],
  ...over,
});
const order = (over: Partial<OrderFact> = {}): OrderFact => ({
  orderNumber: 'A1',
  externalId: null,
  totalUsd: 50,
  country: 'TH',
  status: 'shipped',
  placedAt: '2026-11-01T00:00:00.000Z',
  shipments: [],
  skus: ['S1'],
  linked: true,
  ...over,
});

describe('lifecycle: bot', () => {
  it('nudges after any bot reply by default, then idle-closes; resolved only when the last question was understood', () => {
    const lc = fresh();
    expect(lc.buyerWrote(1000)).toBe('bot');
    lc.botReplied({ asksQuestion: false, understood: true }, 1200);
    expect(lc.nextDeadline()).toEqual({ at: 1200 + config.silenceNudgeMs, what: 'nudge' });
    expect(lc.fire('nudge', 31_200)).toEqual([{ type: 'nudge', coupon: true }]);
    expect(lc.nextDeadline()).toEqual({ at: 1000 + config.idleCloseMs, what: 'idle' });
    expect(lc.fire('idle', 1000 + config.idleCloseMs)).toEqual([{ type: 'say', message: 'closed' }]);
    expect(lc.st.resolved).toBe(true);
    expect(lc.nextDeadline()?.what).toBe('nps');
  });

  it('does not nudge after a plain answer when the strategy says "question", nor when off', () => {
    const lc = fresh();
    lc.st.profile = {
      defaultLanguage: 'en',
      spanishVariant: 'es',
      strategy: {
        silenceNudge: { enabled: true, delayMs: 30_000, after: 'question', max: 1, coupon: false },
        idleCloseMs: 600_000,
        npsDelayMs: 1_800_000,
      },
    };
    lc.buyerWrote(0);
    lc.botReplied({ asksQuestion: false, understood: true }, 10);
    expect(lc.nextDeadline()?.what).toBe('idle');
    lc.botReplied({ asksQuestion: true, understood: false }, 20);
    expect(lc.nextDeadline()).toEqual({ at: 30_020, what: 'nudge' });
    lc.st.profile.strategy.silenceNudge.enabled = false;
    expect(lc.nextDeadline()?.what).toBe('idle');
  });

  it('an unresolved idle close ends without a survey', () => {
    const lc = fresh();
    lc.buyerWrote(0);
    lc.botReplied({ asksQuestion: true, understood: false }, 10);
    lc.fire('idle', config.idleCloseMs);
    expect(lc.nextDeadline()).toBeUndefined();
    expect(lc.outcome()).toEqual({ outcome: 'closed_unresolved', npsScore: null, turns: 1 });
  });
});

describe('lifecycle: humans', () => {
  it('escalates through the tiers, then owes a reply (follow_up) with no timer at all', () => {
    const lc = fresh();
    lc.buyerWrote(0);
    expect(lc.startHandoff('human_request', 0).map((e) => e.type)).toEqual(['say', 'notify']);
    expect(lc.nextDeadline()).toEqual({ at: config.agentSlaMs, what: 'sla' });
    expect(lc.fire('sla', config.agentSlaMs)[0]).toMatchObject({ type: 'notify', kind: 'escalation', tier: 1 });
    lc.fire('sla', 2 * config.agentSlaMs);
    const last = lc.fire('sla', 3 * config.agentSlaMs);
    expect(last).toEqual([
      { type: 'notify', kind: 'handoff_expired', tier: 3, reason: 'human_request' },
      { type: 'say', message: 'handoff_unavailable' },
    ]);
    expect(lc.status).toBe('follow_up');
    expect(lc.nextDeadline()).toBeUndefined();
    // The buyer may still ask the bot things; the hand-off rules do not fire again.
    expect(lc.buyerWrote(10 * MIN)).toBe('bot');
    expect(lc.mayHandOff()).toBe(false);
  });

  it('accept after a failed handoff resumes; the agent-idle limit closes it, resolved when the agent had the last word', () => {
    const lc = fresh();
    lc.buyerWrote(0);
    lc.startHandoff('complaint', 0);
    for (let i = 1; i <= 3; i++) lc.fire('sla', i * config.agentSlaMs);
    expect(lc.agentAccepted('bob', 2 * 60 * MIN)).toEqual([{ type: 'say', message: 'agent_joined' }]);
    expect(lc.agentMessage('bob', 'hi', 2 * 60 * MIN + 1)).toEqual([{ type: 'relay', agentId: 'bob', text: 'hi' }]);
    expect(lc.status).toBe('agent');
    expect(lc.nextDeadline()).toEqual({ at: 2 * 60 * MIN + 1 + config.agentIdleCloseMs!, what: 'agent_idle' });
    expect(lc.buyerWrote(3 * 60 * MIN)).toBe('quiet');
    lc.fire('agent_idle', 3 * 60 * MIN + config.agentIdleCloseMs!);
    expect(lc.st.closeReason).toBe('agent_idle');
    expect(lc.st.resolved).toBe(false); // the buyer wrote last: not resolved, no survey
  });

  it('a seller reply in the platform inbox takes the conversation from the bot', () => {
    const lc = fresh();
    lc.buyerWrote(0);
    expect(lc.sellerReplied('shop-1', 5)).toEqual([]);
    expect(lc.st).toMatchObject({ status: 'agent', agentId: 'shop-1', handoffReason: 'seller_takeover' });
    expect(lc.buyerWrote(10)).toBe('quiet');
  });

  it('release returns to the bot; close by an agent is resolved unless said otherwise; a closed chat reopens for an agent', () => {
    const lc = fresh();
    lc.buyerWrote(0);
    lc.agentAccepted('a', 1);
    expect(lc.released(2)).toEqual([{ type: 'say', message: 'back_to_bot' }]);
    expect(lc.status).toBe('bot');
    lc.close('spam', false, 3);
    expect(lc.outcome()?.outcome).toBe('closed_unresolved');
    lc.agentMessage('a', 'one more thing', 4);
    expect(lc.st).toMatchObject({ status: 'agent', closedAt: null, resolved: null });
  });

  it('a close without `resolved` is unresolved while a reply is owed; resolved otherwise when the reason says so', () => {
    const lc = fresh();
    lc.buyerWrote(0);
    expect(lc.closeCountsAsResolved('resolved')).toBe(true);
    lc.startHandoff('human_request', 0);
    expect(lc.closeCountsAsResolved('resolved')).toBe(false);
    lc.agentAccepted('a', 1);
    expect(lc.closeCountsAsResolved('resolved')).toBe(true);
    expect(lc.closeCountsAsResolved('spam')).toBe(false);
  });

  it('a handoff after an answered question does not count as resolved on idle close; a survey already sent is not sent again after a reopen', () => {
    const lc = fresh();
    lc.buyerWrote(0);
    lc.botReplied({ asksQuestion: false, understood: true }, 1);
    lc.buyerWrote(2);
    lc.startHandoff('human_request', 2);
    lc.released(3);
    lc.fire('idle', 3 + config.idleCloseMs);
    expect(lc.st.resolved).toBe(false);

    const b = fresh();
    b.buyerWrote(0);
    b.botReplied({ asksQuestion: false, understood: true }, 1);
    b.fire('idle', config.idleCloseMs);
    b.fire('nps', config.idleCloseMs + config.npsDelayMs);
    b.agentMessage('a', 'one more thing', config.idleCloseMs + config.npsDelayMs + 5);
    b.close('resolved', true, config.idleCloseMs + config.npsDelayMs + 10);
    expect(b.nextDeadline()?.what).toBe('nps_expired');
  });

  it('fills the v2 fields of state carried from a v1 run', () => {
    const v1 = initialState(0) as Partial<ConversationState>;
    for (const k of ['focusOrder', 'nudges', 'lastBotReplyAt', 'followUpSince', 'resolved', 'profile'] as const) delete v1[k];
    v1.nudged = true;
    const st = normalizeState(v1 as ConversationState);
    expect(st).toMatchObject({ focusOrder: null, nudges: 1, followUpSince: null, resolved: null, profile: null });
    // A v1 run closed before the carry-over still gets its survey.
    const closed = initialState(0) as Partial<ConversationState>;
    delete closed.resolved;
    closed.status = 'closed';
    closed.closedAt = 0;
    expect(normalizeState(closed as ConversationState).resolved).toBe(true);
  });
});

describe('answer plan', () => {
  it('looks up orders only for messages about an order', () => {
    expect(needsOrderFacts(u(), [])).toBe(false);
    expect(needsOrderFacts(u({ intent: 'logistics_tracking' }), [])).toBe(true);
    expect(needsOrderFacts(u({ orderNumbers: ['1'] }), [])).toBe(true);
    expect(needsOrderFacts(u(), ['card-1'])).toBe(true);
  });

  it('chooses the named order, then an order card, then the current one, then the buyer’s latest for an order question', () => {
    const orders = [
      order({ orderNumber: 'OLD', placedAt: '2026-01-01T00:00:00Z' }),
      order({ orderNumber: 'NEW', externalId: 'tt-9', placedAt: '2026-11-30T00:00:00Z' }),
      order({ orderNumber: 'X', linked: false, placedAt: '2026-12-01T00:00:00Z' }),
    ];
    expect(chooseFocus(u({ orderNumbers: ['OLD'] }), [], orders, null).focus).toMatchObject({ orderNumber: 'OLD', via: 'named' });
    expect(chooseFocus(u(), ['tt-9'], orders, null).focus).toMatchObject({ orderNumber: 'NEW', via: 'card' });
    expect(chooseFocus(u({ intent: 'logistics_tracking' }), [], orders, null)).toMatchObject({
      focus: { orderNumber: 'NEW', via: 'buyer_latest' },
      changed: true,
    });
    const current = { orderNumber: 'OLD', totalUsd: 1, country: null, status: 'paid', via: 'named' as const };
    expect(chooseFocus(u({ intent: 'logistics_tracking' }), [], orders, current)).toEqual({ focus: current, changed: false });
    // "thanks" is about no order: a past order does not become the focus.
    expect(chooseFocus(u({ intent: 'unknown', understood: false }), [], orders, null).focus).toBeNull();
  });

  it('order privacy: drops numbers that are not this buyer’s; refuses only when nothing the buyer named is left', () => {
    const asked = u({ intent: 'logistics_tracking', orderNumbers: ['A9'], trackingNumbers: ['T-OTHER', 'T-PUBLIC'] });
    expect(withoutUnavailable(asked, undefined)).toEqual({ u: asked, refuse: false });
    const some = withoutUnavailable(asked, { orderNumbers: ['A9'], trackingNumbers: ['T-OTHER'] });
    expect(some).toMatchObject({ refuse: false, u: { orderNumbers: [], trackingNumbers: ['T-PUBLIC'] } });
    expect(withoutUnavailable(u({ orderNumbers: ['A9'] }), { orderNumbers: ['A9'], trackingNumbers: [] }).refuse).toBe(true);
    expect(withoutUnavailable(u({ trackingNumbers: ['T-OTHER'] }), { orderNumbers: [], trackingNumbers: ['T-OTHER'] }).refuse).toBe(true);
    // An order question naming nothing is not refused (the buyer's latest order answers).
    expect(withoutUnavailable(u({ intent: 'order_status' }), { orderNumbers: [], trackingNumbers: [] }).refuse).toBe(false);
  });

  it('tracks every parcel of the order in focus (up to 3), else its status; answers returns by market and SKU, else the FAQ', () => {
    const o = order({ shipments: [1, 2, 3, 4].map((i) => ({ carrier: null, trackingNumber: `T${i}` })) });
    const track = planAnswer(u({ intent: 'logistics_tracking' }), o);
    expect(track).toMatchObject({ kind: 'track', country: 'TH' });
    expect(track.kind === 'track' && track.parcels.map((p) => p.trackingNumber)).toEqual(['T1', 'T2', 'T3']);
    // No parcel yet: where the order stands; no order known and no number: ask which order.
    expect(planAnswer(u({ intent: 'logistics_tracking' }), order({ status: 'paid' }))).toEqual({
      kind: 'order_status',
      orderNumber: 'A1',
      status: 'paid',
    });
    expect(planAnswer(u({ intent: 'logistics_tracking' }), null)).toEqual({ kind: 'faq', faqId: 'pay-1' });
    expect(planAnswer(u({ intent: 'logistics_tracking', trackingNumbers: ['LX1'] }), null)).toMatchObject({ kind: 'track', country: null });
    // A number the buyer typed wins over the order's own parcels.
    const typed = planAnswer(u({ intent: 'logistics_tracking', trackingNumbers: ['LX9'] }), o);
    expect(typed.kind === 'track' && typed.parcels).toEqual([{ trackingNumber: 'LX9', carrier: null }]);
    expect(planAnswer(u({ intent: 'returns_exchange', countries: ['GB'] }), o)).toEqual({ kind: 'returns', country: 'GB', sku: 'S1' });
    expect(planAnswer(u({ intent: 'returns_exchange' }), null)).toEqual({ kind: 'faq', faqId: 'pay-1' });
    expect(planAnswer(u({ understood: false, faqId: null, intent: 'unknown' }), null)).toEqual({ kind: 'not_understood' });
  });

  it('answers Spanish buyers in es-419 where the shop serves Latin America', () => {
    const profile = { defaultLanguage: 'pt', spanishVariant: 'es-419' as const, strategy: null as never };
    expect(replyLocale('es', { profile })).toBe('es-419');
    expect(replyLocale('fr', { profile })).toBe('fr');
    expect(replyLocale(null, { profile })).toBe('pt');
  });
});

describe('contract', () => {
  it('names every workflow type the worker registers (no name drifts from its function)', async () => {
    const registered = Object.keys(await import('../workflows/index.js'));
    const {
      conversationWorkflowType,
      carrierKeyAuditWorkflowType,
      carrierKeyExpiryWatchWorkflowType,
      kbImportWorkflowType,
      ticketWorkflowType,
    } = await import('../workflows/contract.js');
    expect(registered.sort()).toEqual(
      [
        carrierKeyAuditWorkflowType,
        carrierKeyExpiryWatchWorkflowType,
        conversationWorkflowType,
        kbImportWorkflowType,
        ticketWorkflowType,
      ].sort(),
    );
  });
});
