// Service KPIs of a shop over a period (GET /desk/api/reports/kpis, definitions in docs/insights.md
// and in the answer's `definitions`): NPS with its response rate, 0–10 distribution and bot-only vs
// agent-handled split, FCR (within the configured window), automation, handoff rate and reasons,
// unmatched rate, first response and resolution times (bot vs agent), the daily trend (`series`) and
// breakdowns by intent, language and channel; CSV export.
import { html, enc } from './api.js';
import { BarChart, LineChart, CsvLink } from './chart.js';
import { Card, DemoBanner, PeriodPicker, ShopPicker, Tile, label, num, pct, seconds, usePeriod, useReport, useShops } from './insights.js';

/** A few words under each figure; the full definition (the API's `definitions`) is the tooltip. */
const short = (k) => ({
  nps: '% promoters (9–10) − % detractors (0–6)',
  fcr: `resolved, no handoff, no repeat within ${k.fcr.windowHours} h`,
  automationRate: 'closed by the bot, no handoff',
  handoffRate: 'closed conversations handed to a person',
  unmatchedRate: 'buyer messages nothing matched',
  firstResponse: 'first buyer message → first reply',
  closed: 'days in the shop’s time zone',
});

const npsText = (v) => (v === null || v === undefined ? '—' : (v > 0 ? '+' : '') + v);
const npsTone = (v) => (v === null || v === undefined ? '' : v >= 30 ? 'good' : v < 0 ? 'bad' : 'warn');
const pct1 = (v) => (v === null || v === undefined ? null : Math.round(v * 1000) / 10);

/** The daily trend from `series` ([{day, closed, resolved, nps, fcrRate, …}], every day of the period). */
function Trend({ series, defs }) {
  if (!series || series.length < 2) return null;
  const days = series.map((d) => d.day);
  const col = (f) => series.map(f);
  const rates = [
    ['FCR', 'fcrRate'],
    ['Automation', 'automationRate'],
    ['Handoff', 'handoffRate'],
    ['Unmatched', 'unmatchedRate'],
  ].map(([l, k]) => ({ label: l, values: col((d) => pct1(d[k])) }));
  return html`<${Card} title="Trend by day" wide>
    <p class="hint small" title=${defs.series || ''}>Conversations closed and resolved per day</p>
    <${LineChart} days=${days} series=${[
      { label: 'Closed', values: col((d) => d.closed) },
      { label: 'Resolved', values: col((d) => d.resolved) },
    ]} yLabel="Conversations" height=${180} />
    <p class="hint small">FCR, automation, handoff and unmatched rates per day</p>
    <${LineChart} days=${days} series=${rates} yLabel="Rate" percent height=${200} />
    <p class="hint small" title=${defs.nps || ''}>NPS of the day’s answers (days without answers left out)</p>
    <${LineChart} days=${days} series=${[{ label: 'NPS', values: col((d) => d.nps), color: '#7c3aed' }]} yLabel="NPS" height=${160} />
  </${Card}>`;
}

const COLS = [
  ['Closed', (f) => num(f.closed)],
  ['Resolved', (f) => num(f.resolved)],
  ['FCR', (f) => pct(f.fcrRate)],
  ['Automation', (f) => pct(f.automationRate)],
  ['Handoff', (f) => pct(f.handoffRate)],
  ['Unmatched', (f) => pct(f.unmatchedRate)],
  ['NPS', (f) => npsText(f.nps)],
  ['NPS answers', (f) => num(f.npsAnswers)],
];

/** A breakdown ({group: {closed, resolved, fcrRate, …}}) as a table, most closed first. */
function Breakdown({ title, what, data, def }) {
  const entries = Object.entries(data || {}).sort((a, b) => b[1].closed - a[1].closed || a[0].localeCompare(b[0]));
  if (!entries.length) return null;
  return html`<${Card} title=${title} wide>
    ${def && html`<p class="hint small">${def}</p>`}
    <table class="table compact" data-testid=${'by-' + what}>
      <thead><tr><th>${label(what)}</th>${COLS.map(([n]) => html`<th class="num">${n}</th>`)}</tr></thead>
      <tbody>
        ${entries.map(([g, f]) => html`<tr><td>${label(g)}</td>${COLS.map(([, fmt]) => html`<td class="num">${fmt(f)}</td>`)}</tr>`)}
      </tbody>
    </table>
  </${Card}>`;
}

/** p50/p90 are the upper bound of a histogram bucket: "≤ 2 min"; null with data means beyond the last bound (7 days). */
const bound = (v, count) => (v === null || v === undefined ? (count ? '> 7 d' : '—') : `≤ ${seconds(v)}`);

function Times({ k, defs }) {
  const rows = [
    ['First response', 'bot', k.firstResponse.bot, defs.firstResponseBot],
    ['First response', 'agent', k.firstResponse.agent, defs.firstResponseAgent],
    ['Resolution', 'bot', k.resolution.bot, defs.resolutionBot],
    ['Resolution', 'agent', k.resolution.agent, defs.resolutionAgent],
  ];
  return html`<${Card} title="Response and resolution times" wide>
    <table class="table compact" data-testid="times">
      <thead><tr><th></th><th>By</th><th class="num">Count</th><th class="num">Mean</th><th class="num">p50</th><th class="num">p90</th></tr></thead>
      <tbody>
        ${rows.map(
          ([what, by, d, def]) => html`<tr title=${def || ''} data-row=${`${what === 'Resolution' ? 'resolution' : 'first-response'}-${by}`}>
            <td>${what}</td><td>${by === 'bot' ? 'Bot' : 'Agent'}</td>
            <td class="num">${num(d.count)}</td><td class="num">${seconds(d.meanSeconds)}</td>
            <td class="num">${bound(d.p50Seconds, d.count)}</td><td class="num">${bound(d.p90Seconds, d.count)}</td>
          </tr>`,
        )}
      </tbody>
    </table>
    <p class="hint small">Bot: conversations never handed off. Agent: from the handoff to the first human reply; resolution of handed-off conversations. p50/p90: upper bound of the bucket they fall in.</p>
  </${Card}>`;
}

export function Reports() {
  const { shops, shop, setShop, error: shopError } = useShops();
  const [period, setPeriod] = usePeriod(30);
  const q = shop ? `/reports/kpis?shop=${enc(shop)}&from=${period.from}&to=${period.to}` : null;
  const { data: k, error, loading } = useReport(q);
  // The API's definitions use `code` marks for values (`none`): shown as quotes.
  const defs = Object.fromEntries(Object.entries(k?.definitions || {}).map(([n, d]) => [n, d.replace(/`([^`]*)`/g, '“$1”')]));
  const cap = k ? short(k) : {};
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
          sub=${`${num(k.nps.answers)} answers · response rate ${pct(k.nps.responseRate)}`} def=${defs.nps} caption=${cap.nps} />
        <${Tile} testid="kpi-fcr" label="First-contact resolution" value=${pct(k.fcr.rate)}
          sub=${`${num(k.fcr.count)} of ${num(k.conversations.closed)} · ${num(k.fcr.repeats)} repeats within ${k.fcr.windowHours} h`} def=${defs.fcr} caption=${cap.fcr} />
        <${Tile} testid="kpi-automation" label="Automation rate" value=${pct(k.automationRate)} def=${defs.automationRate} caption=${cap.automationRate} />
        <${Tile} testid="kpi-handoff" label="Handoff rate" value=${pct(k.handoff.rate)} sub=${`${num(k.handoff.count)} handed off`} def=${defs.handoffRate} caption=${cap.handoffRate} />
        <${Tile} testid="kpi-unmatched" label="Unmatched rate" value=${pct(k.unmatched.rate)}
          sub=${`${num(k.unmatched.count)} of ${num(k.unmatched.messagesIn)} messages`} def=${defs.unmatchedRate} caption=${cap.unmatchedRate} />
        <${Tile} testid="kpi-frt" label="First response" value=${seconds(k.firstResponse.meanSeconds)} sub=${`mean of ${num(k.firstResponse.count)}`} def=${defs.firstResponse} caption=${cap.firstResponse} />
        <${Tile} testid="kpi-closed" label="Closed conversations" value=${num(k.conversations.closed)} sub=${`${num(k.conversations.resolved)} resolved`} def=${defs.closed} caption=${cap.closed} />
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
        <${Times} k=${k} defs=${defs} />
        <${Trend} series=${k.series} defs=${defs} />
        <${Breakdown} title="By intent" what="intent" data=${k.byIntent} def=${defs.byIntent} />
        <${Breakdown} title="By language" what="language" data=${k.byLanguage} def=${defs.byLanguage} />
        <${Breakdown} title="By channel" what="channel" data=${k.byChannel} def=${defs.byChannel} />
      </div>`}
  </div>`;
}
