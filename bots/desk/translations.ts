/**
 * Machine translation in the desk (docs/translation.md):
 *
 *   GET  /translation?shop=ID                  the provider (null: none), the caller's reading language (theirs, else the shop's default)
 *   PUT  /translation/me {readLanguage}        the language buyer messages are translated into for me (null: the shop's default)
 *   GET  /shops/:shopId/machine-answers?status=unreviewed|all   machine-translated FAQ answers to review
 *   POST /shops/:shopId/machine-answers/:questionId/:lang/approve
 *   PUT  /shops/:shopId/machine-answers/:questionId/:lang {text}  edited: becomes the seller's own answer
 *   GET  /shops/:shopId/glossary, PUT (admin) {terms}            terms never translated (SKUs are added automatically)
 *   POST /conversations/:id/messages/:messageId/translate        a buyer message in my language (not cached, metered)
 *   POST /conversations/:id/message-translated {text, to?}       my reply sent in the buyer's language (original kept)
 *
 * Without a provider the routes that would call one answer 409 {"error":"no_translator"}.
 */
import { randomUUID } from 'node:crypto';
import { Router, type Request } from 'express';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { z } from 'zod';
import { hasControlChars } from '../../infra/terminal-text.js';
import { TranslationError, type Translator } from '../../infra/translation/index.js';
import { AgentModel } from '../../models/agent.js';
import { FaqEntryModel } from '../../models/faq-entry.js';
import { MessageModel } from '../../models/message.js';
import { ReplyOriginalModel, TRANSLATED_REPLY_REF_PREFIX } from '../../models/reply-original.js';
import { writeServiceEvents } from '../../models/service-event.js';
import { ShopModel } from '../../models/shop.js';
import * as contract from '../../workflows/contract.js';
import { HttpError } from '../http-errors.js';
import { requireAdmin, requireShop } from './auth.js';
import { bad, boundedParam, conversationOf, DESK_LIMITS, parseBody } from './scope.js';

/** A language code as sora writes them (en, es-419, pt-BR, zh-Hans). */
const LANG = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/;
const GLOSSARY_MAX = 500;
const TERM_MAX = 100;

const lang = (name: string) =>
  z.string({ invalid_type_error: `${name} must be a string` }).regex(LANG, `${name} must be a language code like en, es-419, pt-BR`);
const text = z
  .string({ required_error: 'text is required', invalid_type_error: 'text must be a string' })
  .trim()
  .min(1, 'text must not be empty')
  .max(DESK_LIMITS.text, `text must be at most ${DESK_LIMITS.text} characters`)
  .refine((t) => !hasControlChars(t, { allowLayout: true }), 'text must not contain control characters (newline and tab are fine)');
const meBody = z.object({ readLanguage: lang('readLanguage').nullable() });
const editBody = z.object({ text });
const replyBody = z.object({ text, to: lang('to').optional() });
const glossaryBody = z.object({
  terms: z
    .array(
      z
        .string({ invalid_type_error: 'each term must be a string' })
        .trim()
        .min(1, 'a term must not be empty')
        .max(TERM_MAX, `a term must be at most ${TERM_MAX} characters`)
        .refine((t) => !hasControlChars(t), 'a term must not contain control characters'),
      { required_error: 'terms is required', invalid_type_error: 'terms must be an array of strings' },
    )
    .max(GLOSSARY_MAX, `at most ${GLOSSARY_MAX} terms`),
});

type Machine = {
  text: string;
  sourceLang: string;
  sourceHash: string;
  provider: string;
  translatedAt: Date;
  reviewedBy?: string | null;
  reviewedAt?: Date | null;
};

export interface TranslationRoutesOptions {
  client: Client;
  /** The configured provider; null: none (SORA_TRANSLATOR=none). */
  translator: Translator | null;
}

/** A provider failure as the desk sees it: rate limits and outages are 503, the rest 502. */
function providerError(e: unknown): never {
  if (e instanceof TranslationError) {
    const retry = e.kind === 'rate_limited' || e.kind === 'transient';
    throw new HttpError(
      retry ? 503 : 502,
      'translation_failed',
      `the translation provider failed (${e.kind}); the text was not translated`,
    );
  }
  throw e;
}

export function translationRoutes(opts: TranslationRoutesOptions): Router {
  const r = Router();
  const need = (): Translator => {
    if (!opts.translator) throw new HttpError(409, 'no_translator', 'no translation provider is configured (SORA_TRANSLATOR=none)');
    return opts.translator;
  };
  /** The agent's reading language: their setting, else the shop's default. */
  const readLanguageOf = async (req: Request, shopId?: string): Promise<string> => {
    const a = req.agent!.via === 'operator' ? null : await AgentModel.findById(req.agent!.id, { readLanguage: 1 }).lean();
    if (a?.readLanguage) return a.readLanguage;
    const shop = shopId ? await ShopModel.findOne({ shopId }, { defaultLanguage: 1 }).lean() : null;
    return shop?.defaultLanguage ?? 'en';
  };

  r.get('/translation', async (req, res) => {
    const shop = req.query.shop === undefined ? undefined : requireShop(req, boundedParam(req.query.shop, 'shop', DESK_LIMITS.shopId));
    const a = req.agent!.via === 'operator' ? null : await AgentModel.findById(req.agent!.id, { readLanguage: 1 }).lean();
    res.setHeader('Cache-Control', 'no-store');
    res.json({
      provider: opts.translator?.provider ?? null,
      /** The agent's own setting (null: the shop's default). */
      readLanguageSetting: a?.readLanguage ?? null,
      readLanguage: await readLanguageOf(req, shop),
    });
  });

  r.put('/translation/me', async (req, res) => {
    const { readLanguage } = parseBody(meBody, req);
    if (req.agent!.via === 'operator')
      throw new HttpError(409, 'not_an_agent', 'the operator token has no agent settings; sign in as an agent');
    await AgentModel.updateOne({ _id: req.agent!.id }, { $set: { readLanguage } });
    res.json({ readLanguage });
  });

  // ---- review of machine-translated FAQ answers ------------------------------------------------
  r.get('/shops/:shopId/machine-answers', async (req, res) => {
    const shopId = requireShop(req, boundedParam(req.params.shopId, 'shopId', DESK_LIMITS.shopId));
    const status = req.query.status ?? 'unreviewed';
    if (status !== 'unreviewed' && status !== 'all') bad('status', 'must be unreviewed or all');
    const entries = await FaqEntryModel.find(
      { shopId, machineAnswers: { $exists: true } },
      { questionId: 1, question: 1, answers: 1, machineAnswers: 1 },
    )
      .sort({ questionId: 1 })
      .lean();
    const items = [];
    for (const e of entries) {
      const answers = (e.answers ?? {}) as unknown as Record<string, string>;
      for (const [language, m] of Object.entries((e.machineAnswers ?? {}) as unknown as Record<string, Machine>)) {
        if (!m?.text || (status === 'unreviewed' && m.reviewedBy)) continue;
        items.push({
          questionId: e.questionId,
          question: e.question,
          language,
          sourceLanguage: m.sourceLang,
          source: answers[m.sourceLang] ?? null,
          translation: m.text,
          provider: m.provider,
          translatedAt: m.translatedAt,
          reviewedBy: m.reviewedBy ?? null,
          reviewedAt: m.reviewedAt ?? null,
        });
      }
    }
    res.setHeader('Cache-Control', 'no-store');
    res.json({ shopId, status, provider: opts.translator?.provider ?? null, items });
  });

  const machineOf = async (req: Request) => {
    const shopId = requireShop(req, boundedParam(req.params.shopId, 'shopId', DESK_LIMITS.shopId));
    const questionId = boundedParam(req.params.questionId, 'questionId');
    const language = boundedParam(req.params.lang, 'lang', 16);
    if (!LANG.test(language)) bad('lang', 'must be a language code like en, es-419, pt-BR');
    const e = await FaqEntryModel.findOne({ shopId, questionId }, { machineAnswers: 1 }).lean();
    const m = (e?.machineAnswers as unknown as Record<string, Machine> | undefined)?.[language];
    if (!m) throw new HttpError(404, 'not_found', `FAQ entry ${questionId} has no machine-translated ${language} answer`);
    return { shopId, questionId, language, m };
  };
  // Answers are cached per (kbVersion, answersRev) in every process (activities/knowledge/kb-version.ts).
  const answersChanged = (shopId: string) => ShopModel.updateOne({ shopId }, { $inc: { answersRev: 1 } });

  r.post('/shops/:shopId/machine-answers/:questionId/:lang/approve', async (req, res) => {
    const { shopId, questionId, language, m } = await machineOf(req);
    const at = new Date();
    await FaqEntryModel.updateOne(
      { shopId, questionId },
      { $set: { [`machineAnswers.${language}.reviewedBy`]: req.agent!.id, [`machineAnswers.${language}.reviewedAt`]: at } },
    );
    res.json({ questionId, language, translation: m.text, reviewedBy: req.agent!.id, reviewedAt: at });
  });

  r.put('/shops/:shopId/machine-answers/:questionId/:lang', async (req, res) => {
    const { shopId, questionId, language } = await machineOf(req);
    const { text: edited } = parseBody(editBody, req);
    // Edited by a person: the seller's own answer from now on (never re-translated over).
    await FaqEntryModel.updateOne(
      { shopId, questionId },
      { $set: { [`answers.${language}`]: edited }, $unset: { [`machineAnswers.${language}`]: '' } },
    );
    await answersChanged(shopId);
    res.json({ questionId, language, answer: edited, sellerWritten: true, editedBy: req.agent!.id });
  });

  // ---- the shop's glossary -----------------------------------------------------------------------
  r.get('/shops/:shopId/glossary', async (req, res) => {
    const shopId = requireShop(req, boundedParam(req.params.shopId, 'shopId', DESK_LIMITS.shopId));
    const shop = await ShopModel.findOne({ shopId }, { glossary: 1 }).lean();
    if (!shop) throw new HttpError(404, 'unknown_shop', `no shop "${shopId}"`);
    const skus = ((await FaqEntryModel.distinct('skus', { shopId })) as string[]).filter(Boolean).sort();
    res.json({ shopId, terms: shop.glossary ?? [], skus });
  });

  r.put('/shops/:shopId/glossary', requireAdmin, async (req, res) => {
    const shopId = requireShop(req, boundedParam(req.params.shopId, 'shopId', DESK_LIMITS.shopId));
    const { terms } = parseBody(glossaryBody, req);
    const unique = [...new Set(terms)];
    const u = await ShopModel.updateOne({ shopId }, { $set: { glossary: unique } });
    if (u.matchedCount === 0) throw new HttpError(404, 'unknown_shop', `no shop "${shopId}"`);
    res.json({ shopId, terms: unique });
  });

  // ---- live translation for agents --------------------------------------------------------------
  r.post('/conversations/:id/messages/:messageId/translate', async (req, res) => {
    const c = await conversationOf(req);
    const translator = need();
    const messageId = boundedParam(req.params.messageId, 'messageId', 64);
    if (!/^[a-f0-9]{24}$/.test(messageId)) bad('messageId', 'must be a message id from the transcript');
    const m = await MessageModel.findOne({ _id: messageId, workflowId: c.workflowId }, { text: 1, language: 1 }).lean();
    if (!m) throw new HttpError(404, 'message_not_found', `no message ${messageId} in this conversation`);
    if (!m.text?.trim()) bad('messageId', 'the message has no text to translate');
    const to = await readLanguageOf(req, c.shopId);
    // Buyer messages are personal data: never cached (neither read nor written); the cost is the shop's.
    const t = await translator.translate({ texts: [m.text], from: null, to, shopId: c.shopId, cache: false }).catch(providerError);
    res.setHeader('Cache-Control', 'no-store');
    // from: the language sora recorded for the message, else the provider's detection.
    res.json({ messageId, text: t.texts[0], from: m.language ?? t.detectedFrom ?? null, to, provider: translator.provider });
  });

  r.post('/conversations/:id/message-translated', async (req, res) => {
    const c = await conversationOf(req);
    const translator = need();
    const body = parseBody(replyBody, req);
    const to = body.to ?? c.language ?? null;
    if (!to) bad('to', "the buyer's language is not known yet; name it (to)");
    const from = await readLanguageOf(req, c.shopId);
    const t = await translator
      .translate({ texts: [body.text], from: from === to ? null : from, to: to!, shopId: c.shopId, cache: false })
      .catch(providerError);
    const translated = t.texts[0]!;
    const ref = `${TRANSLATED_REPLY_REF_PREFIX}${randomUUID()}`;
    const key = contract.agentReplyKey(c.workflowId, ref);
    // Written before the signal: the send activity copies it onto the message record (models/reply-original.ts).
    await ReplyOriginalModel.create({
      key,
      shopId: c.shopId,
      originalText: body.text,
      originalLanguage: t.detectedFrom ?? from,
      language: to!,
      provider: translator.provider,
    });
    try {
      await opts.client.workflow.getHandle(c.workflowId).signal(contract.agentMessage, { agentId: req.agent!.id, text: translated, ref });
    } catch (e) {
      await ReplyOriginalModel.deleteOne({ key }).catch(() => undefined);
      if (e instanceof WorkflowNotFoundError)
        throw new HttpError(409, 'conversation_not_running', `conversation ${c.workflowId} is not running (status ${c.status})`);
      throw e;
    }
    void writeServiceEvents([
      {
        shopId: c.shopId,
        workflowId: c.workflowId,
        channel: c.channel,
        at: new Date(),
        key: `${c.workflowId}:agent:message:${ref}`,
        data: { type: 'agent_action', action: 'message', agentId: req.agent!.id },
      },
    ]).catch(() => undefined);
    res
      .status(202)
      .json({ ok: true, text: translated, language: to, originalLanguage: t.detectedFrom ?? from, provider: translator.provider });
  });

  return r;
}
