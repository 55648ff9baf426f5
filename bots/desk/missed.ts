/**
 * Missed questions (issue 17): what the bot could not answer, and FAQ drafts made from it.
 *   GET  /desk/api/reports/missed-questions?shop=&from=&to=&below=0.5&format=json|csv
 *   POST /desk/api/reports/missed-questions/:clusterId/draft  {shop, from, to}
 *   GET  /desk/api/shops/:shopId/faq-drafts?status=draft|published
 *   PUT  /desk/api/shops/:shopId/faq-drafts/:id  {question?, variants?, answer?, intent?, language?}
 *   POST /desk/api/shops/:shopId/faq-drafts/:id/publish
 * The clustering, the intent suggestion and the FAQ write are activities-level logic: the entry
 * point passes them in (MissedServices, scripts/missed-services.ts). Scoped like every desk route
 * (requireShop: another shop is a 404); bad input is a 422 naming the field. docs/insights.md.
 */
import { Router, type Request } from 'express';
import { z } from 'zod';
import type { Types } from 'mongoose';
import { csvText as csv } from '../../infra/csv-cells.js';
import { dayStartIn } from '../../infra/zoned-time.js';
import { hasDemoData } from '../../models/demo-data.js';
import { FaqDraftModel } from '../../models/faq-draft.js';
import { lowConfidenceAnswers } from '../../models/low-confidence-answers.js';
import { ShopModel } from '../../models/shop.js';
import { UnmatchedQuestionModel } from '../../models/unmatched-question.js';
import { HttpError } from '../http-errors.js';
import { requireShop } from './auth.js';
import { boundedParam, DESK_LIMITS, parseBody, bad, dayParam, MAX_REPORT_DAYS as MAX_DAYS } from './scope.js';

/** A cluster of unmatched questions (activities/knowledge/missed-questions.ts). */
export interface MissedClusterView {
  id: string;
  count: number;
  representative: string;
  examples: string[];
  languages: Record<string, number>;
  questionIds: Types.ObjectId[];
  lastAskedAt: Date | null;
}

export interface MissedServices {
  /** The shop's unmatched questions of [since, until) not resolved yet, clustered by meaning, largest first. */
  topMissed(shopId: string, o: { since: Date; until: Date; limit: number }): Promise<MissedClusterView[]>;
  /** The nearest FAQ entry of the shop's index to a question (the suggested intent), or null (empty KB). */
  suggest(
    shopId: string,
    text: string,
  ): Promise<{ intent: string; questionId: string; question: string | null; confidence: number } | null>;
  /** Add the entry to the shop's FAQ and index (no full import); returns the new KB version. */
  publish(
    shopId: string,
    entry: { questionId: string; intent: string; question: string; variants: string[]; answers: Record<string, string> },
  ): Promise<{ questionId: string; kbVersion: number }>;
}

const TOP = 50;

const dayStart = (day: string, tz: string, plus = 0): Date => dayStartIn(day, tz, plus);

/** shop, from, to (days in the shop's time zone, inclusive) from the query or a JSON body. */
async function period(req: Request, src: Record<string, unknown>) {
  const shopId = requireShop(req, boundedParam(src.shop, 'shop', DESK_LIMITS.shopId));
  const from = dayParam(src.from, 'from');
  const to = dayParam(src.to, 'to');
  if (to < from) bad('to', 'must not be before from');
  if ((Date.parse(to) - Date.parse(from)) / 86_400_000 + 1 > MAX_DAYS) bad('to', `the period must be at most ${MAX_DAYS} days`);
  const shop = await ShopModel.findOne({ shopId }, { timeZone: 1, defaultLanguage: 1 }).lean();
  if (!shop) throw new HttpError(404, 'unknown_shop', `no shop "${shopId}"`);
  const tz = shop.timeZone ?? 'UTC';
  return {
    shopId,
    from,
    to,
    timeZone: tz,
    defaultLanguage: shop.defaultLanguage ?? 'en',
    since: dayStart(from, tz),
    until: dayStart(to, tz, 1),
  };
}

const text = (name: string, max: number) =>
  z
    .string({ invalid_type_error: `${name} must be a string` })
    .trim()
    .max(max, `${name} must be at most ${max} characters`);
const draftEdit = z
  .object({
    question: text('question', 500).min(1, 'question must not be empty'),
    variants: z
      .array(text('each variant', 500).min(1, 'a variant must not be empty'), {
        invalid_type_error: 'variants must be an array of strings',
      })
      .max(50, 'at most 50 variants'),
    answer: text('answer', DESK_LIMITS.text),
    intent: z
      .string({ invalid_type_error: 'intent must be a string' })
      .regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'intent must be 1 to 64 characters: a-z, 0-9, _ . -'),
    language: z
      .string({ invalid_type_error: 'language must be a string' })
      .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/, 'language must be a language code such as en, es or pt-BR'),
  })
  .partial()
  .strict();

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a lean document or a mongoose object
const draftView = (d: any) => ({
  id: String(d._id),
  shopId: d.shopId,
  clusterId: d.clusterId,
  question: d.question,
  variants: d.variants,
  answer: d.answer,
  intent: d.intent,
  language: d.language,
  suggestion: d.suggestion ?? null,
  questions: (d.unmatchedIds as unknown[] | undefined)?.length ?? 0,
  status: d.status,
  questionId: d.questionId ?? null,
  createdBy: d.createdBy ?? null,
  createdAt: d.createdAt,
  updatedAt: d.updatedAt,
  publishedAt: d.publishedAt ?? null,
});

function needServices(s: MissedServices | undefined): MissedServices {
  if (!s) throw new HttpError(503, 'unavailable', 'missed questions are not available in this process (no knowledge services)');
  return s;
}

export function missedRoutes(services?: MissedServices): Router {
  const r = Router();

  r.get('/reports/missed-questions', async (req, res) => {
    const p = await period(req, req.query);
    const format = req.query.format ?? 'json';
    if (format !== 'json' && format !== 'csv') bad('format', 'must be json or csv');
    const belowRaw = req.query.below ?? '0.5';
    const below = typeof belowRaw === 'string' && /^\d*\.?\d+$/.test(belowRaw) ? Number(belowRaw) : NaN;
    if (!(below > 0 && below <= 1)) bad('below', 'must be a number above 0 and at most 1');
    const s = needServices(services);
    const [clusters, low] = await Promise.all([
      s.topMissed(p.shopId, { since: p.since, until: p.until, limit: TOP }),
      lowConfidenceAnswers(p.shopId, { since: p.since, until: p.until, below, limit: TOP }),
    ]);
    const drafts = await FaqDraftModel.find(
      { shopId: p.shopId, clusterId: { $in: clusters.map((c) => c.id) }, status: 'draft' },
      { clusterId: 1 },
    ).lean();
    const draftOf = new Map(drafts.map((d) => [d.clusterId, String(d._id)]));
    res.setHeader('Cache-Control', 'no-store');
    if (format === 'json')
      return void res.json({
        shop: p.shopId,
        from: p.from,
        to: p.to,
        timeZone: p.timeZone,
        // The period holds the synthetic demo month: the desk shows a "Demo data" banner.
        demo: await hasDemoData(p.shopId, p.from, p.to),
        questions: clusters.reduce((n, c) => n + c.count, 0),
        clusters: clusters.map(({ questionIds: _ids, ...c }) => ({ ...c, draftId: draftOf.get(c.id) ?? null })),
        lowConfidence: { below, answers: low.answers, groups: low.groups },
      });
    const lines: unknown[][] = [['cluster_id', 'count', 'representative', 'languages', 'examples']];
    for (const c of clusters)
      lines.push([
        c.id,
        c.count,
        c.representative,
        Object.entries(c.languages)
          .map(([l, n]) => `${l}:${n}`)
          .join(' '),
        c.examples.join(' | '),
      ]);
    lines.push(
      [],
      ['faq_entry_id', 'faq_question', 'low_confidence_answers', 'handoffs', 'repeats', 'mean_confidence', 'example_question'],
    );
    for (const g of low.groups)
      lines.push([g.faqEntryId, g.faqQuestion, g.count, g.handoffs, g.repeats, g.meanConfidence, g.examples[0]?.question ?? '']);
    res.type('text/csv').setHeader('Content-Disposition', `attachment; filename="missed-questions-${p.shopId}-${p.from}-${p.to}.csv"`);
    res.send(csv(lines));
  });

  r.post('/reports/missed-questions/:clusterId/draft', async (req, res) => {
    const clusterId = boundedParam(req.params.clusterId, 'clusterId', 64);
    const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
    const p = await period(req, { ...req.query, ...body });
    const s = needServices(services);
    const existing = await FaqDraftModel.findOne({ shopId: p.shopId, clusterId, status: 'draft' }).lean();
    if (existing) return void res.status(200).json(draftView(existing));
    const clusters = await s.topMissed(p.shopId, { since: p.since, until: p.until, limit: 500 });
    const c = clusters.find((x) => x.id === clusterId);
    if (!c)
      throw new HttpError(
        404,
        'cluster_not_found',
        `no cluster ${clusterId} among the missed questions of ${p.from}..${p.to} (reload the list)`,
      );
    const suggestion = await s.suggest(p.shopId, c.representative);
    const language =
      Object.entries(c.languages)
        .filter(([l]) => l !== '?')
        .sort((a, b) => b[1] - a[1])[0]?.[0] ?? p.defaultLanguage;
    const draft = await FaqDraftModel.create({
      shopId: p.shopId,
      clusterId,
      question: c.representative,
      variants: c.examples.filter((e) => e !== c.representative),
      answer: '',
      intent: suggestion?.intent ?? 'faq',
      language,
      suggestion,
      unmatchedIds: c.questionIds,
      createdBy: req.agent!.id,
    });
    res.status(201).json(draftView(draft.toObject()));
  });

  const draftOf = async (req: Request) => {
    const shopId = requireShop(req, boundedParam(req.params.shopId, 'shopId', DESK_LIMITS.shopId));
    const id = boundedParam(req.params.id, 'id', 64);
    if (!/^[0-9a-f]{24}$/.test(id)) throw new HttpError(404, 'draft_not_found', `no FAQ draft ${id}`);
    const d = await FaqDraftModel.findOne({ _id: id, shopId }).lean();
    if (!d) throw new HttpError(404, 'draft_not_found', `no FAQ draft ${id}`);
    return d;
  };

  r.get('/shops/:shopId/faq-drafts', async (req, res) => {
    const shopId = requireShop(req, boundedParam(req.params.shopId, 'shopId', DESK_LIMITS.shopId));
    const status = req.query.status;
    if (status !== undefined && status !== 'draft' && status !== 'published') bad('status', 'must be draft or published');
    const drafts = await FaqDraftModel.find({ shopId, ...(status ? { status: status as 'draft' | 'published' } : {}) })
      .sort({ updatedAt: -1 })
      .limit(200)
      .lean();
    res.setHeader('Cache-Control', 'no-store');
    res.json({ shop: shopId, drafts: drafts.map((d) => draftView(d)) });
  });

  r.put('/shops/:shopId/faq-drafts/:id', async (req, res) => {
    const d = await draftOf(req);
    const edit = parseBody(draftEdit, req);
    if (d.status !== 'draft') throw new HttpError(409, 'already_published', 'this draft is published; it can no longer be edited');
    if (edit.variants) edit.variants = [...new Set(edit.variants)];
    const next = await FaqDraftModel.findOneAndUpdate({ _id: d._id, status: 'draft' }, { $set: edit }, { returnDocument: 'after' }).lean();
    if (!next) throw new HttpError(409, 'already_published', 'this draft is published; it can no longer be edited');
    res.json(draftView(next));
  });

  r.post('/shops/:shopId/faq-drafts/:id/publish', async (req, res) => {
    const d = await draftOf(req);
    const s = needServices(services);
    if (d.status !== 'draft') throw new HttpError(409, 'already_published', `this draft is already published as FAQ entry ${d.questionId}`);
    if (!d.answer?.trim()) bad('answer', 'write the answer before publishing (PUT the draft with an answer)');
    const questionId = `desk-${String(d._id)}`;
    const now = new Date();
    // Claimed first: of two concurrent publishes, one adds the entry, the other gets the 409.
    const claimed = await FaqDraftModel.findOneAndUpdate(
      { _id: d._id, status: 'draft' },
      { $set: { status: 'published', publishedAt: now, publishedBy: req.agent!.id, questionId } },
      { returnDocument: 'after' },
    ).lean();
    if (!claimed) throw new HttpError(409, 'already_published', 'this draft is already published');
    let out: { kbVersion: number };
    try {
      out = await s.publish(d.shopId, {
        questionId,
        intent: d.intent ?? 'faq',
        question: d.question,
        variants: (d.variants ?? []).filter((v) => v !== d.question),
        answers: { [d.language ?? 'en']: d.answer },
      });
    } catch (e) {
      await FaqDraftModel.updateOne({ _id: d._id }, { $set: { status: 'draft', publishedAt: null, publishedBy: null, questionId: null } });
      throw e;
    }
    const resolved = await UnmatchedQuestionModel.updateMany(
      { _id: { $in: d.unmatchedIds ?? [] }, shopId: d.shopId, resolvedAt: null },
      { $set: { resolvedAt: now, resolvedBy: questionId } },
    );
    res.json({ ...draftView(claimed), kbVersion: out.kbVersion, resolvedQuestions: resolved.modifiedCount });
  });

  return r;
}
