/**
 * A conversation's full transcript: GET /desk/api/conversations/:id/messages → every message in
 * order (buyer, bot, system, agent, seller), the language of each, for FAQ answers the matched entry
 * (its question) and the match's confidence, and the agents' names. Scoped like every desk read.
 *
 * A web chat buyer's uploads (bots/webchat/attachments.ts) are listed with a desk URL:
 * GET /desk/api/conversations/:id/attachments/:attachmentId serves one, only of that conversation's buyer.
 */
import { Router } from 'express';
import { AgentModel } from '../../models/agent.js';
import { FaqEntryModel } from '../../models/faq-entry.js';
import { MessageModel } from '../../models/message.js';
import { WebchatAttachmentModel } from '../../models/webchat-attachment.js';
import { HttpError } from '../http-errors.js';
import { sendAttachment } from '../webchat/attachments.js';
import { boundedParam, conversationOf } from './scope.js';

const WEBCHAT_ATTACHMENT = /^\/webchat\/[^/]+\/attachments\/([\w-]+)$/;

/** A message's attachments as the desk shows them; a web chat upload gets its desk URL. */
function deskAttachments(conversationId: string, list: unknown): Array<Record<string, unknown>> {
  return (Array.isArray(list) ? (list as Array<Record<string, unknown>>) : []).map((a) => {
    const m = typeof a.url === 'string' ? WEBCHAT_ATTACHMENT.exec(a.url) : null;
    return {
      type: a.type ?? 'other',
      mimeType: a.mimeType ?? null,
      sizeBytes: a.sizeBytes ?? null,
      name: a.name ?? null,
      url: m ? `/desk/api/conversations/${encodeURIComponent(conversationId)}/attachments/${m[1]}` : null,
    };
  });
}

const TRANSCRIPT_MAX = 2000;

export function transcriptRoutes(): Router {
  const r = Router();
  r.get('/conversations/:id/messages', async (req, res) => {
    const c = await conversationOf(req);
    const rows = await MessageModel.find(
      { workflowId: c.workflowId },
      {
        direction: 1,
        author: 1,
        agentId: 1,
        text: 1,
        language: 1,
        requestedLanguage: 1,
        languageFallback: 1,
        source: 1,
        status: 1,
        error: 1,
        faqEntryId: 1,
        faqQuestion: 1,
        confidence: 1,
        quickReplies: 1,
        attachments: 1,
        originalText: 1,
        originalLanguage: 1,
        translatedBy: 1,
        createdAt: 1,
      },
    )
      .sort({ _id: 1 })
      .limit(TRANSCRIPT_MAX)
      .lean();
    // The matched FAQ entries' questions, in one read.
    const ids = [...new Set(rows.map((m) => m.faqEntryId).filter((x): x is string => !!x))];
    const questions = new Map<string, string>();
    if (ids.length)
      for (const e of await FaqEntryModel.find({ shopId: c.shopId, questionId: { $in: ids } }, { questionId: 1, question: 1 }).lean())
        questions.set(e.questionId, e.question);
    // The agents' names (an agent of another shop keeps just the id).
    const agentIds = [...new Set(rows.map((m) => m.agentId).filter((x): x is string => !!x))];
    const names = new Map<string, string>();
    if (agentIds.length) for (const a of await AgentModel.find({ _id: { $in: agentIds } }, { name: 1 }).lean()) names.set(a._id, a.name);
    res.setHeader('Cache-Control', 'no-store');
    res.json({
      messages: rows.map((m) => ({
        id: String(m._id),
        at: m.createdAt,
        direction: m.direction,
        author: m.author,
        agentId: m.agentId ?? null,
        agentName: m.agentId ? (names.get(m.agentId) ?? null) : null,
        text: m.text ?? '',
        language: m.language ?? null,
        requestedLanguage: m.requestedLanguage ?? null,
        languageFallback: !!m.languageFallback,
        source: m.source ?? null,
        status: m.status,
        error: m.error ?? null,
        quickReplies: m.quickReplies ?? [],
        attachments: deskAttachments(String(req.params.id), m.attachments),
        // An agent reply sent translated: what the agent typed (docs/translation.md).
        ...(m.originalText
          ? { original: { text: m.originalText, language: m.originalLanguage ?? null, provider: m.translatedBy ?? null } }
          : {}),
        faq: m.faqEntryId
          ? {
              id: m.faqEntryId,
              question: m.faqQuestion ?? questions.get(m.faqEntryId) ?? null,
              confidence: typeof m.confidence === 'number' ? m.confidence : null,
            }
          : null,
      })),
    });
  });

  r.get('/conversations/:id/attachments/:attachmentId', async (req, res) => {
    const c = await conversationOf(req);
    const id = boundedParam(req.params.attachmentId, 'attachmentId', 64);
    const d =
      c.channel === 'webchat' ? await WebchatAttachmentModel.findOne({ attachmentId: id, shopId: c.shopId, buyerId: c.buyerId }) : null;
    if (!d) throw new HttpError(404, 'unknown_attachment', `no attachment "${id}" in this conversation`);
    sendAttachment(res, d);
  });

  return r;
}
