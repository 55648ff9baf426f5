/**
 * The written definition of every KPI of GET /desk/api/reports/kpis, returned with the figures
 * (`definitions`) and mirrored in docs/insights.md. The FCR window is SORA_FCR_WINDOW.
 */
import { DURATION_BOUNDS_S } from './duration-histogram.js';

const hours = (ms: number) => `${Math.round((ms / 3600_000) * 100) / 100} h`;

export function kpiDefinitions(fcrWindowMs: number): Record<string, string> {
  const bounds = DURATION_BOUNDS_S.map((s) =>
    s < 60 ? `${s} s` : s < 3600 ? `${s / 60} min` : s < 86400 * 2 ? `${s / 3600} h` : `${s / 86400} d`,
  ).join(', ');
  const pct = `p50/p90 are the upper bound of the histogram bucket the percentile falls in (bounds ${bounds}; null beyond the last)`;
  return {
    closed: 'Conversations closed in the period (the day of the close in the shop time zone).',
    resolved: 'Closed conversations that ended resolved (they get the NPS survey).',
    nps: 'Net Promoter Score: % of answers 9–10 minus % of answers 0–6, one decimal, over the NPS answers of conversations closed in the period; null without answers.',
    npsResponseRate: 'NPS answers / resolved conversations.',
    npsBotOnly: 'NPS of conversations never handed off to a human.',
    npsAgentHandled: 'NPS of conversations that were handed off (a handoff reason or an agent).',
    fcr: `First-contact resolution rate: conversations resolved without a handoff and with no new conversation of the same buyer on the same intent within ${hours(fcrWindowMs)} of the close (SORA_FCR_WINDOW), / closed conversations.`,
    fcrRepeats: `Conversations whose FCR was undone by a repeat of the buyer on the same intent within ${hours(fcrWindowMs)}.`,
    automationRate: 'Closed conversations the bot ended without a handoff / closed conversations.',
    handoffRate:
      'Closed conversations that were handed off (a handoff reason or an agent) / closed conversations; reasons counted per reason.',
    unmatchedRate:
      'Buyer messages no intent or FAQ entry matched (unmatched questions) / buyer messages, of conversations closed in the period.',
    firstResponse: "Mean seconds from a conversation's first buyer message to its first reply (bot or agent).",
    firstResponseBot: `Seconds from the first buyer message to the first bot reply; mean, ${pct}.`,
    firstResponseAgent: `Handed-off conversations: seconds from the last handoff (else the first buyer message) to the first human (agent or seller) reply after it; mean, ${pct}.`,
    resolutionBot: `Resolved conversations never handed off: seconds from the first buyer message to the close; mean, ${pct}.`,
    resolutionAgent: `Resolved conversations that were handed off: seconds from the first buyer message to the close; mean, ${pct}.`,
    rootCauseCorrections: 'Root-cause tag corrections made by agents on conversations closed in the period.',
    byIntent: 'The rates above per intent the bot recognised last in the conversation (`none`: no intent).',
    byLanguage: 'The rates above per conversation language (`unknown` when not detected).',
    byChannel: 'The rates above per channel.',
    series: 'The figures per day of the period (every day, zero-filled), for trend charts.',
  };
}
