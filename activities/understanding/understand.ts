/** The `understand` activity: language, FAQ match + intent with confidence, handoff keywords, entities. */
import { messageInEvent } from '../insights/turn-events.js';
import { questions, safely, unmatchedQuestions } from '../../infra/metrics.js';
import { log } from '@temporalio/activity';
import { UnmatchedQuestionModel } from '../../models/unmatched-question.js';
import type { Embedder } from '../knowledge/embedder.js';
import type { KbIndex } from '../knowledge/kb-index.js';
import {
  extractAnsweredOrderNumbers,
  extractCountries,
  isBareAnswer,
  pickedChoice,
  extractOrderNumbers,
  extractSkus,
  extractTrackingNumbers,
} from './entities.js';
import { asksForHuman, isComplaint } from './keywords.js';
import { detectLanguage } from './language.js';
import { preferPivot, pivotText, type PivotSettings } from './pivot.js';
import { shopDefaultLanguage, shopLanguages } from './shop-languages.js';
import type { LanguageAlignment } from '../knowledge/language-alignment.js';
import { buyerCountry, type BuyerRef } from '../catalog/buyer-country.js';

export interface UnderstandInput {
  shopId: string;
  text: string;
  /** The buyer's language so far: kept for messages too short to tell, and a prior for pt/es, id/ms. */
  languageHint: string | null;
  workflowId?: string;
  /** The buyer (channel, id, order country): their country is a prior between pt/es and id/ms. */
  buyer?: BuyerRef | null;
  /** The bot asked for an order number (dialogue memory): a bare "1234" is read as one. */
  expecting?: 'order_number';
  /**
   * With `expecting`: the orders the bot offered ("which order do you mean?"), in their listed order.
   * A bare "2" picks the second (channels without buttons list them as "1. …", "2. …").
   */
  choices?: string[];
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
  trackingNumbers: string[];
  skus: string[];
  /** ISO 3166-1 alpha-2 codes of countries the buyer mentions. */
  countries: string[];
}

export interface MatchSettings {
  /** Minimum fused confidence to answer from the FAQ (SORA_MATCH_THRESHOLD, default 0.3). */
  matchThreshold?: number;
  /**
   * Minimum cosine similarity to the nearest FAQ phrasing (SORA_MATCH_MIN_SIMILARITY; default: the
   * model's own floor): the regression always picks some entry, this keeps out questions the KB
   * does not cover at all.
   */
  minSimilarity?: number;
}

/**
 * `pivot`: translate other-language messages into the shop's default language and match both (SORA_UNDERSTAND_PIVOT).
 * `alignment`: move other-language questions into English's region before matching (once the map is ready), for a shop whose
 * default language is English (SORA_LANGUAGE_ALIGNMENT, knowledge/language-alignment.ts).
 */
export function makeUnderstand(
  embedder: Embedder,
  kb: KbIndex,
  settings: MatchSettings = {},
  pivot: PivotSettings | null = null,
  alignment: Promise<LanguageAlignment | null> | null = null,
) {
  const matchThreshold = settings.matchThreshold ?? 0.3;
  const minSimilarity = settings.minSimilarity ?? embedder.minSimilarity;
  const gate = { threshold: matchThreshold, minSimilarity };
  // Questions are matched unaligned until the map is ready (learning it takes a minute or two on the
  // first start; the buyer is not kept waiting for it).
  let aligner: LanguageAlignment | null = null;
  void alignment?.then(
    (a) => (aligner = a),
    () => undefined,
  );
  return async function understand(input: UnderstandInput): Promise<Understanding> {
    const country = buyerCountry(input.buyer);
    const language = detectLanguage(input.text, input.languageHint, 'en', {
      shopLanguages: await shopLanguages(input.shopId),
      country,
    });
    // The FAQ's countries and sku columns: the countries the question names, else the buyer's.
    const countries = extractCountries(input.text);
    const complaint = isComplaint(input.text);
    const humanRequest = asksForHuman(input.text);
    const trackingNumbers = extractTrackingNumbers(input.text);
    // "2" after "which order do you mean? 1. … 2. …" is the second order offered.
    const picked = input.expecting === 'order_number' ? pickedChoice(input.text, input.choices) : null;
    const orderNumbers = picked
      ? [picked]
      : input.expecting === 'order_number'
        ? extractAnsweredOrderNumbers(input.text, trackingNumbers)
        : extractOrderNumbers(input.text);
    // "1234" after "what is your order number?" answers the bot; it asks the FAQ nothing.
    if (picked || (input.expecting === 'order_number' && isBareAnswer(input.text, [...orderNumbers, ...trackingNumbers]))) {
      messageInEvent({ shopId: input.shopId, workflowId: input.workflowId, intent: 'unknown', language, faqEntryId: null, confidence: 0 });
      return bareAnswer(language, orderNumbers, trackingNumbers, countries);
    }
    const [vector] = await embedder.embed([input.text], 'query');
    const index = await kb.forShop(input.shopId);
    const skus = extractSkus(input.text, index.skus);
    const restrict = { countries: countries.length ? countries : country ? [country] : [], skus };
    const aligned = aligner && (await shopDefaultLanguage(input.shopId)) === aligner.target ? aligner.apply(vector!, language) : null;
    let best = index.match(aligned ?? vector!, restrict);
    if (pivot) {
      const target = await shopDefaultLanguage(input.shopId);
      const translated = await pivotText(pivot, { text: input.text, from: language, to: target, shopId: input.shopId }, (reason) =>
        log.warn('pivot translation failed; matched the original only', { reason, from: language, to: target }),
      );
      if (translated) {
        const [pv] = await embedder.embed([translated], 'query');
        const pivoted = index.match(pv!, restrict);
        if (preferPivot(best, pivoted, gate)) best = pivoted;
      }
    }
    const match = best;
    const understood = !!match && match.confidence >= matchThreshold && match.similarity >= minSimilarity;
    const intent = humanRequest ? 'human_request' : complaint ? 'complaint' : understood ? match.intent : 'unknown';
    safely(() =>
      questions.inc({ result: humanRequest ? 'human_request' : complaint ? 'complaint' : understood ? 'matched' : 'unmatched' }),
    );
    // An attachment without words (a photo, a sticker) has no question to rank for the seller.
    // Nor has the answer to the bot's own question ("1234" after "what is your order number?").
    const answersAsk = input.expecting === 'order_number' && (orderNumbers.length > 0 || trackingNumbers.length > 0);
    if (!understood && !humanRequest && !complaint && !answersAsk && input.text.trim()) {
      await UnmatchedQuestionModel.create({
        shopId: input.shopId,
        text: input.text,
        language,
        vector: Array.from(vector!, (x) => Math.round(x * 1e6) / 1e6),
        embedModel: embedder.model,
        bestQuestionId: match?.questionId ?? null,
        confidence: match?.confidence ?? 0,
        workflowId: input.workflowId ?? null,
      });
      safely(() => unmatchedQuestions.inc());
      log.info('not understood; logged for the seller', { confidence: match?.confidence ?? 0, similarity: match?.similarity ?? 0 });
    }
    const confidence = match ? Number(match.confidence.toFixed(3)) : 0;
    // Its service event (issue 17) waits for the reply's send to be written with it (one insert per turn).
    messageInEvent({
      shopId: input.shopId,
      workflowId: input.workflowId,
      intent,
      language,
      faqEntryId: understood ? match.questionId : null,
      confidence,
    });
    return {
      language,
      intent,
      confidence,
      faqId: understood ? match.questionId : null,
      understood,
      complaint,
      humanRequest,
      orderNumbers,
      trackingNumbers,
      skus,
      countries,
    };
  };
}

function bareAnswer(language: string, orderNumbers: string[], trackingNumbers: string[], countries: string[]): Understanding {
  return {
    language,
    intent: 'unknown',
    confidence: 0,
    faqId: null,
    understood: false,
    complaint: false,
    humanRequest: false,
    orderNumbers,
    trackingNumbers,
    skus: [],
    countries,
  };
}
