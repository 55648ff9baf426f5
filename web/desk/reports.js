// Service KPIs of a shop over a period (GET /desk/api/reports/kpis, definitions in docs/insights.md):
// NPS with its response rate, 0–10 distribution and bot-only vs agent-handled split, FCR, automation,
// handoff rate and reasons, unmatched rate, first response time; a daily trend and breakdowns by
// intent, language and channel when the server sends them (`series`, `byIntent`, `byLanguage`,
// `byChannel`); CSV export.
import { html, enc } from './api.js';
import { BarChart, LineChart, CsvLink } from './chart.js';
import { Card, DemoBanner, PeriodPicker, ShopPicker, Tile, label, num, pct, seconds, usePeriod, useReport, useShops } from './insights.js';

export const DEFS = {
  nps: 'NPS = % promoters (9–10) − % detractors (0–6) among the survey answers of conversations closed in the period.',
  responseRate: 'Survey answers ÷ resolved conversations (those that were asked).',
  fcr: 'First-contact resolution: resolved with no handoff and no new conversation of the same buyer on the same intent within 24 h, ÷ closed conversations.',
  automation: 'Closed conversations the bot ended without a handoff ÷ closed conversations.',
  handoff: 'Closed conversations handed to an agent ÷ closed conversations.',
  unmatched: 'Inbound buyer messages that matched no intent ÷ inbound messages.',
  frt: 'Mean time from a conversation’s first inbound message to its first reply (bot or agent).',
  closed: 'Conversations closed in the period (days in the shop’s time zone).',
};

/** The same, in a few words under each figure. */
const SHORT = {
  nps: '% promoters (9–10) − % detractors (0–6)',
  fcr: 'resolved, no handoff, no repeat in 24 h',
  automation: 'closed by the bot, no handoff',
  handoff: 'closed conversations handed to an agent',
  unmatched: 'inbound messages no intent matched',
  frt: 'first buyer message → first reply',
  closed: 'days in the shop’s time zone',
};

const npsText = (v) => (v === null || v === undefined ? '—' : (v > 0 ? '+' : '') + v);
const npsTone = (v) => (v === null || v === undefined ? '' : v >= 30 ? 'good' : v < 0 ? 'bad' : 'warn');

/** Numeric leaves of an object, one level deep: {nps: {score: 4}} → {'nps.score': 4}. */
function flat(o, prefix = '', depth = 0, out = {}) {
  for (const [k, v] of Object.entries(o || {})) {
    if (typeof v === 'number' || v === null) out[prefix + k] = v;
    else if (v && typeof v === 'object' && !Array.isArray(v) && depth < 1) flat(v, prefix + k + '.', depth + 1, out);
  }
  return out;
}
const pick = (o, keys) => {
  for (const k of keys) if (o[k] !== undefined) return o[k];
  return undefined;
};

/** The daily series, whatever its layout: [{day, …}] or {days: [...], <metric>: [...]}. */
function seriesRows(series) {
  if (Array.isArray(series)) return series.filter((r) => r && typeof r.day === 'string').map((r) => ({ day: r.day, v: flat(r) }));
  if (series && Array.isArray(series.days))
    return series.days.map((day, i) => ({
      day,
      v: Object.fromEntries(Object.entries(series).filter(([, a]) => Array.isArray(a) && a !== series.days).map(([k, a]) => [k, a[i]])),
    }));
  return [];
}

const COLS = [
  { name: 'Closed', keys: ['conversations.closed', 'closed', 'conversations'], fmt: num },
  { name: 'NPS', keys: ['nps.score', 'nps'], fmt: npsText },
  { name: 'FCR', keys: ['fcr.rate', 'fcrRate', 'fcr'], fmt: pct },
  { name: 'Automation', keys: ['automationRate', 'automation.rate'], fmt: pct },
  { name: 'Handoff', keys: ['handoff.rate', 'handoffRate'], fmt: pct },
  { name: 'Unmatched', keys: ['unmatched.rate', 'unmatchedRate'], fmt: pct },
  { name: 'First response', keys: ['firstResponse.meanSeconds', 'firstResponseSeconds', 'frtSeconds'], fmt: seconds },
];

function Trend({ series }) {
  const rows = seriesRows(series);
  if (rows.length < 2) return null;
  const days = rows.map((r) => r.day);
  const get = (keys) => rows.map((r) => pick(r.v, keys) ?? null);
  const closed = get(COLS[0].keys);
  const rates = COLS.slice(2, 6)
    .map((c) => ({ label: c.name, values: get(c.keys).map((v) => (v === null ? null : Math.round(v * 1000) / 10)) }))
    .filter((s) => s.values.some((v) => v !== null));
  return html`<${Card} title="Trend by day" wide>
    ${closed.some((v) => v !== null) && html`<${LineChart} days=${days} series=${[{ label: 'Closed conversations', values: closed }]} yLabel="Conversations" height=${180} />`}
    ${rates.length > 0 && html`<${LineChart} days=${days} series=${rates} yLabel="Rate" percent height=${200} />`}
  </${Card}>`;
}

/** A breakdown ({intent: kpis} or [{intent|key|name, …}]) as a table. */
function Breakdown({ title, what, data }) {
  if (!data) return null;
  const entries = Array.isArray(data)
    ? data.map((r) => [r[what] ?? r.key ?? r.name ?? r.value ?? '—', r])
    : Object.entries(data);
  if (!entries.length) return null;
  const rows = entries.map(([k, v]) => [k, flat(v)]);
  const cols = COLS.filter((c) => rows.some(([, v]) => pick(v, c.keys) !== undefined));
  return html`<${Card} title=${title} wide>
    <table class="table compact" data-testid=${'by-' + what}>
      <thead><tr><th>${label(what)}</th>${cols.map((c) => html`<th class="num">${c.name}</th>`)}</tr></thead>
      <tbody>
        ${rows.map(
          ([k, v]) => html`<tr><td>${label(k)}</td>${cols.map((c) => html`<td class="num">${c.fmt(pick(v, c.keys) ?? null)}</td>`)}</tr>`,
        )}
      </tbody>
    </table>
  </${Card}>`;
}

export function Reports() {
  const { shops, shop, setShop, error: shopError } = useShops();
  const [period, setPeriod] = usePeriod(30);
  const q = shop ? `/reports/kpis?shop=${enc(shop)}&from=${period.from}&to=${period.to}` : null;
  const { data: k, error, loading } = useReport(q);
  const reasons = k ? Object.entries(k.handoff.reasons).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])) : [];
  return html`<div class="page insights" aria-busy=${loading ? 'true' : 'false'}>
    <header class="page-head">
      <div><h2>Reports</h2><p class="hint">Service KPIs from the daily rollups of conversations closed in the period.</p></div>
      <div class="page-tools">
        <${ShopPicker} shops=${shops} shop=${shop} setShop=${setShop} />
        ${q && html`<${CsvLink} path=${q} />`}
      </div>
    </header>
    <${PeriodPicker} period=${period} setPeriod=${setPeriod} />
    <${DemoBanner} data=${k} />
    ${(error || shopError) && html`<p class="error" role="status">${error || shopError}</p>`}
    ${!shop && !shopError && shops.length === 0 && html`<p class="empty">No shop to report on.</p>`}
    ${k &&
    html`<div class="tiles">
        <${Tile} testid="kpi-nps" label="NPS" value=${npsText(k.nps.score)} tone=${npsTone(k.nps.score)}
          sub=${`${num(k.nps.answers)} answers · response rate ${pct(k.nps.responseRate)}`} def=${DEFS.nps} caption=${SHORT.nps} />
        <${Tile} testid="kpi-fcr" label="First-contact resolution" value=${pct(k.fcr.rate)}
          sub=${`${num(k.fcr.count)} of ${num(k.conversations.closed)} · ${num(k.fcr.repeatsWithin24h)} repeats within 24 h`} def=${DEFS.fcr} caption=${SHORT.fcr} />
        <${Tile} testid="kpi-automation" label="Automation rate" value=${pct(k.automationRate)} def=${DEFS.automation} caption=${SHORT.automation} />
        <${Tile} testid="kpi-handoff" label="Handoff rate" value=${pct(k.handoff.rate)} sub=${`${num(k.handoff.count)} handed off`} def=${DEFS.handoff} caption=${SHORT.handoff} />
        <${Tile} testid="kpi-unmatched" label="Unmatched rate" value=${pct(k.unmatched.rate)}
          sub=${`${num(k.unmatched.count)} of ${num(k.unmatched.messagesIn)} messages`} def=${DEFS.unmatched} caption=${SHORT.unmatched} />
        <${Tile} testid="kpi-frt" label="First response" value=${seconds(k.firstResponse.meanSeconds)} sub=${`mean of ${num(k.firstResponse.count)}`} def=${DEFS.frt} caption=${SHORT.frt} />
        <${Tile} testid="kpi-closed" label="Closed conversations" value=${num(k.conversations.closed)} sub=${`${num(k.conversations.resolved)} resolved`} def=${DEFS.closed} caption=${SHORT.closed} />
      </div>
      <div class="cards">
        <${Card} title="NPS answers, 0–10">
          <${BarChart} labels=${k.nps.distribution.map((_, i) => String(10 - i))} values=${[...k.nps.distribution].reverse()} label="Answers" rowHeight=${16} />
          <div class="split" data-testid="nps-split">
            <span><b>Bot only</b> ${npsText(k.nps.botOnly.score)} <small>(${num(k.nps.botOnly.answers)} answers)</small></span>
            <span><b>Agent handled</b> ${npsText(k.nps.agentHandled.score)} <small>(${num(k.nps.agentHandled.answers)} answers)</small></span>
            <span class="muted">${num(k.nps.promoters)} promoters · ${num(k.nps.passives)} passives · ${num(k.nps.detractors)} detractors</span>
          </div>
        </${Card}>
        <${Card} title="Handoff reasons">
          ${reasons.length
            ? html`<${BarChart} labels=${reasons.map(([r]) => label(r))} values=${reasons.map(([, n]) => n)} label="Handoffs" color="#d97706" />`
            : html`<p class="empty small">No handoffs in the period.</p>`}
        </${Card}>
        <${Trend} series=${k.series} />
        <${Breakdown} title="By intent" what="intent" data=${k.byIntent} />
        <${Breakdown} title="By language" what="language" data=${k.byLanguage} />
        <${Breakdown} title="By channel" what="channel" data=${k.byChannel} />
      </div>`}
  </div>`;
}
