/** The `understand` activity: language, intent + confidence, handoff keywords, entities. */
import { FaqEntryModel } from '../../models/faq-entry.js';
import { extractOrderNumbers } from './entities.js';
import { asksForHuman, isComplaint } from './keywords.js';
import { bestMatch } from './keyword-matcher.js';
import { detectLanguage } from './language.js';

export interface UnderstandInput {
  shopId: string;
  text: string;
  languageHint: string | null;
}

export interface Understanding {
  language: string;
  /** FAQ intent, or `complaint` / `human_request` / `unknown`. */
  intent: string;
  confidence: number;
  faqId: string | null;
  understood: boolean;
  complaint: boolean;
  humanRequest: boolean;
  orderNumbers: string[];
}

/** Minimum keyword-overlap score to answer from the FAQ (skeleton matcher). */
export const MATCH_THRESHOLD = 0.34;

export async function understand(input: UnderstandInput): Promise<Understanding> {
  const language = detectLanguage(input.text, input.languageHint);
  const entries = await FaqEntryModel.find({ shopId: input.shopId }, { questionId: 1, intent: 1, question: 1, variants: 1 }).lean();
  const match = bestMatch(input.text, entries);
  const complaint = isComplaint(input.text);
  const humanRequest = asksForHuman(input.text);
  const orderNumbers = extractOrderNumbers(input.text);
  const understood = !!match && match.score >= MATCH_THRESHOLD;
  const intent = humanRequest ? 'human_request' : complaint ? 'complaint' : understood ? match.intent : 'unknown';
  return {
    language,
    intent,
    confidence: match ? Number(match.score.toFixed(3)) : 0,
    faqId: understood ? match.questionId : null,
    understood,
    complaint,
    humanRequest,
    orderNumbers,
  };
}
