/**
 * Answers the bot sent with low confidence that did not work (issue 17, missed questions): an FAQ
 * answer (`message_out` service event with a confidence below `below`) followed, in the same
 * conversation run, by a handoff or by the buyer asking again — the next buyer message nearly the
 * same as the question (character-bigram Dice ≥ 0.7) or not understood either (an unmatched question).
 *
 * Bounded, indexed reads only: the answers of the period from the service events ({shopId, type, at}),
 * then, for those conversations only, their handoff/outcome events ({workflowId, at}), their buyer
 * messages ({workflowId, direction, _id}) and their unmatched questions ({shopId, createdAt}).
 * Service events are written when a conversation closes, so open conversations are not counted yet.
 */
import { FaqEntryModel } from './faq-entry.js';
import { MessageModel } from './message.js';
import { ServiceEventModel } from './service-event.js';
import { UnmatchedQuestionModel } from './unmatched-question.js';

const MAX_ANSWERS = 5_000;
const MAX_MESSAGES = 50_000;
const EXAMPLES = 5;

export interface LowConfidenceExample {
  workflowId: string;
  at: Date;
  confidence: number;
  question: string | null;
  next: string | null;
  handoff: boolean;
  repeat: boolean;
}

export interface LowConfidenceGroup {
  faqEntryId: string;
  faqQuestion: string | null;
  intent: string | null;
  count: number;
  handoffs: number;
  repeats: number;
  meanConfidence: number;
  examples: LowConfidenceExample[];
}

const bigrams = (s: string): Map<string, number> => {
  const t = ` ${s
    .toLowerCase()
    .replace(/[\p{P}\p{S}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()} `;
  const m = new Map<string, number>();
  for (let i = 0; i < t.length - 1; i++) m.set(t.slice(i, i + 2), (m.get(t.slice(i, i + 2)) ?? 0) + 1);
  return m;
};

/** Dice coefficient of character bigrams (1 = same words); works for scripts without spaces too. */
export function textSimilarity(a: string, b: string): number {
  const x = bigrams(a);
  const y = bigrams(b);
  let common = 0;
  let total = 0;
  for (const [g, n] of x) {
    common += Math.min(n, y.get(g) ?? 0);
    total += n;
  }
  for (const n of y.values()) total += n;
  return total ? (2 * common) / total : 0;
}

/** The run of an event: its key without the event suffix (`{workflowId}:{openedAtMs}`). */
const runOf = (key: string) => key.replace(/:(out:\d+|handoff|outcome)$/, '');

export async function lowConfidenceAnswers(
  shopId: string,
  o: { since: Date; until: Date; below: number; limit?: number },
): Promise<{ answers: number; groups: LowConfidenceGroup[] }> {
  const outs = await ServiceEventModel.find(
    { shopId, type: 'message_out', at: { $gte: o.since, $lt: o.until }, 'data.confidence': { $lt: o.below } },
    { workflowId: 1, at: 1, key: 1, data: 1 },
  )
    .sort({ at: -1 })
    .limit(MAX_ANSWERS)
    .lean();
  const low = outs.filter((e) => {
    const d = e.data as { confidence?: number | null; faqEntryId?: string | null; author?: string };
    return typeof d.confidence === 'number' && d.faqEntryId && d.author !== 'agent';
  });
  if (!low.length) return { answers: 0, groups: [] };
  const workflowIds = [...new Set(low.map((e) => e.workflowId))];
  const [ends, inbound, unmatched] = await Promise.all([
    ServiceEventModel.find({ workflowId: { $in: workflowIds }, type: { $in: ['handoff', 'outcome'] } }, { key: 1, at: 1, type: 1 }).lean(),
    MessageModel.find(
      {
        workflowId: { $in: workflowIds },
        direction: 'in',
        createdAt: { $gte: new Date(o.since.getTime() - 86_400_000), $lt: new Date(o.until.getTime() + 86_400_000) },
      },
      { workflowId: 1, text: 1, createdAt: 1 },
    )
      .sort({ _id: 1 })
      .limit(MAX_MESSAGES)
      .lean(),
    UnmatchedQuestionModel.find(
      { shopId, createdAt: { $gte: o.since, $lt: new Date(o.until.getTime() + 86_400_000) }, workflowId: { $in: workflowIds } },
      { workflowId: 1, text: 1, createdAt: 1 },
    )
      .limit(MAX_MESSAGES)
      .lean(),
  ]);
  const handedOff = new Set(ends.filter((e) => e.type === 'handoff').map((e) => runOf(e.key)));
  const closedAt = new Map(ends.filter((e) => e.type === 'outcome').map((e) => [runOf(e.key), e.at.getTime()]));
  const msgsOf = new Map<string, { text: string; at: number }[]>();
  for (const m of inbound) {
    const list = msgsOf.get(m.workflowId) ?? [];
    list.push({ text: m.text ?? '', at: (m.createdAt as Date).getTime() });
    msgsOf.set(m.workflowId, list);
  }
  const unmatchedOf = new Map<string, { text: string; at: number }[]>();
  for (const u of unmatched) {
    const list = unmatchedOf.get(u.workflowId!) ?? [];
    list.push({ text: u.text, at: (u.createdAt as Date).getTime() });
    unmatchedOf.set(u.workflowId!, list);
  }

  const groups = new Map<string, LowConfidenceGroup & { confidenceSum: number }>();
  let answers = 0;
  for (const e of low) {
    const d = e.data as { confidence: number; faqEntryId: string };
    const run = runOf(e.key);
    const openedAt = Number(run.slice(run.lastIndexOf(':') + 1)) || 0;
    const end = closedAt.get(run) ?? Infinity;
    const at = e.at.getTime();
    const msgs = (msgsOf.get(e.workflowId) ?? []).filter((m) => m.at >= openedAt && m.at <= end);
    const question = [...msgs].reverse().find((m) => m.at <= at) ?? null;
    const next = msgs.find((m) => m.at > at) ?? null;
    const repeat =
      !!next &&
      ((question && textSimilarity(question.text, next.text) >= 0.7) ||
        (unmatchedOf.get(e.workflowId) ?? []).some((u) => u.text === next.text && u.at >= next.at - 1000));
    const handoff = handedOff.has(run);
    if (!repeat && !handoff) continue;
    answers++;
    const g = groups.get(d.faqEntryId) ?? {
      faqEntryId: d.faqEntryId,
      faqQuestion: null,
      intent: null,
      count: 0,
      handoffs: 0,
      repeats: 0,
      meanConfidence: 0,
      confidenceSum: 0,
      examples: [],
    };
    g.count++;
    if (handoff) g.handoffs++;
    if (repeat) g.repeats++;
    g.confidenceSum += d.confidence;
    if (g.examples.length < EXAMPLES)
      g.examples.push({
        workflowId: e.workflowId,
        at: e.at,
        confidence: d.confidence,
        question: question?.text ?? null,
        next: next?.text ?? null,
        handoff,
        repeat,
      });
    groups.set(d.faqEntryId, g);
  }
  const top = [...groups.values()].sort((a, b) => b.count - a.count || a.faqEntryId.localeCompare(b.faqEntryId)).slice(0, o.limit ?? 50);
  const faq = await FaqEntryModel.find(
    { shopId, questionId: { $in: top.map((g) => g.faqEntryId) } },
    { questionId: 1, question: 1, intent: 1 },
  ).lean();
  const byId = new Map(faq.map((f) => [f.questionId, f]));
  return {
    answers,
    groups: top.map(({ confidenceSum, ...g }) => ({
      ...g,
      faqQuestion: byId.get(g.faqEntryId)?.question ?? null,
      intent: byId.get(g.faqEntryId)?.intent ?? null,
      meanConfidence: Math.round((confidenceSum / g.count) * 1000) / 1000,
    })),
  };
}
