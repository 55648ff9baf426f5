/**
 * A conversation's full transcript: GET /desk/api/conversations/:id/messages → every message in
 * order (buyer, bot, system, agent, seller), the language of each, for FAQ answers the matched entry
 * (its question) and the match's confidence, and the agents' names. Scoped like every desk read.
 */
import { Router } from 'express';
import { AgentModel } from '../../models/agent.js';
import { FaqEntryModel } from '../../models/faq-entry.js';
import { MessageModel } from '../../models/message.js';
import { conversationOf } from './scope.js';

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

  return r;
}
