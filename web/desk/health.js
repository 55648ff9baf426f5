// Health of the caller's shops (GET /desk/api/health, bots/desk/health.ts), re-read every 10 s:
// what needs action now (carrier keys expired or expiring, channels logged out, error spikes, SLA
// breaches), the last 24 h's traffic (inbound, outbound, send failures, handoffs, unmatched) as tiles
// and a chart, and the state of channels and carrier credentials. Per-process metrics: /metrics.
import { useState } from 'preact/hooks';
import { html, enc } from './api.js';
import { BarChart, CsvLink } from './chart.js';
import { clock } from './format.js';
import { Card, DemoBanner, Tile, label, num, pct, useReport, useShops } from './insights.js';

export const HEALTH_REFRESH_MS = 10_000;

const KIND = {
  carrier_key_expired: ['Carrier key expired', 'bad'],
  carrier_key_expiring: ['Carrier key expiring', 'warn'],
  channel_logged_out: ['Channel logged out', 'bad'],
  error_spike: ['Error spike', 'bad'],
  sla_breach: ['SLA breached', 'warn'],
};

function hours(h) {
  if (h < 0) return `${-h} h ago`;
  if (h < 48) return `in ${h} h`;
  return `in ${Math.round(h / 24)} days`;
}

const secs = (v) => (v === null || v === undefined ? '–' : v < 1 ? `${Math.round(v * 1000)} ms` : `${v.toFixed(1)} s`);
const bucketLabel = (le, prev) => (le === null ? `> ${secs(prev)}` : `≤ ${secs(le)}`);

/** Reply latency and carrier calls of the gateway process (admins over every shop). */
function ProcessCards({ p }) {
  const r = p.replyLatency;
  // The buckets from the first to the last that holds a reply, each labelled by its bound.
  const first = r.distribution.findIndex((d) => d.count > 0);
  const last = r.distribution.findLastIndex((d) => d.count > 0);
  const dist = first < 0 ? [] : r.distribution.slice(first, last + 1).map((d, i) => ({ ...d, prev: r.distribution[first + i - 1]?.le ?? 0 }));
  return html`<${Card} title="Reply latency (this process)">
      <p class="figure-line" data-testid="health-latency">
        <strong>p50 ${secs(r.p50)}</strong> · <strong>p95 ${secs(r.p95)}</strong> <span class="muted">of ${num(r.count)} replies since ${clock(p.since)}</span>
      </p>
      ${dist.length
        ? html`<${BarChart}
            labels=${dist.map((d) => bucketLabel(d.le, d.prev))}
            values=${dist.map((d) => d.count)}
            label="Replies"
          />`
        : html`<p class="hint">No reply sent by this process yet.</p>`}
      ${r.byChannel.length > 0 &&
      html`<table class="table compact">
        <thead><tr><th>Channel</th><th class="num">Replies</th><th class="num">p50</th><th class="num">p95</th></tr></thead>
        <tbody>${r.byChannel.map((c) => html`<tr><td>${c.channel}</td><td class="num">${num(c.count)}</td><td class="num">${secs(c.p50)}</td><td class="num">${secs(c.p95)}</td></tr>`)}</tbody>
      </table>`}
    </${Card}>
    <${Card} title="Carrier APIs (this process)">
      ${p.carriers.length
        ? html`<table class="table compact" data-testid="health-carriers">
            <thead><tr><th>Carrier</th><th class="num">Calls</th><th class="num">Mean</th><th>Errors</th></tr></thead>
            <tbody>${p.carriers.map(
              (c) => html`<tr><td>${c.carrier.toUpperCase()}</td><td class="num">${num(c.requests)}</td><td class="num">${secs(c.meanSeconds)}</td>
                <td>${Object.keys(c.errors).length
                  ? Object.entries(c.errors).map(([k, n]) => html`<span class="chip bad">${label(k)} ${num(n)}</span> `)
                  : html`<span class="chip good">none</span>`}</td></tr>`,
            )}</tbody>
          </table>`
        : html`<p class="hint">No carrier API called by this process since ${clock(p.since)}.</p>`}
    </${Card}>`;
}

function Action({ a }) {
  const [title, tone] = KIND[a.kind] || [label(a.kind), 'warn'];
  let what;
  if (a.kind === 'carrier_key_expired' || a.kind === 'carrier_key_expiring')
    what = html`<b>${a.carrier.toUpperCase()}</b> key of shop ${a.shopId} ${a.kind === 'carrier_key_expired' ? 'expired' : 'expires'} ${hours(a.hoursLeft)}`;
  else if (a.kind === 'channel_logged_out') what = html`<b>${a.channel}</b> of shop ${a.shopId} is logged out${a.at ? ` since ${clock(a.at)}` : ''}`;
  else if (a.kind === 'error_spike')
    what = html`<b>${label(a.source)}</b>: ${num(a.lastHour)} in the last hour (usual ${num(a.hourlyAverage)} an hour)`;
  else if (a.kind === 'sla_breach')
    what = html`<a href=${'#/tickets/' + enc(a.ticketId)}>Ticket #${a.number}</a> ${a.subject} <span class="muted">· ${a.priority} · ${a.assigneeId || 'unassigned'}${a.dueAt ? ` · due ${clock(a.dueAt)}` : ''}</span>`;
  else what = html`${a.text || ''}`;
  return html`<li class=${'action ' + tone} data-kind=${a.kind}>
    <span class="action-kind">${title}</span>
    <span class="action-what">${what}</span>
    ${a.action && html`<code class="action-do">${a.action}</code>`}
  </li>`;
}

export function Health() {
  const { shops, error: shopError, ready } = useShops();
  const [scope, setScope] = useState('');
  const q = ready ? `/health${scope ? `?shop=${enc(scope)}` : ''}` : null;
  const { data: h, error } = useReport(q, HEALTH_REFRESH_MS);
  const l = h?.last24h;
  const keys = h ? h.actions.filter((a) => a.kind.startsWith('carrier_key')) : [];
  const channels = h ? h.actions.filter((a) => a.kind === 'channel_logged_out') : [];
  const spikes = h ? Object.entries(h.errors) : [];
  return html`<div class="page insights">
    <header class="page-head">
      <div><h2>Health</h2><p class="hint">${h ? html`Updated ${clock(h.at)} · refreshes every 10 s` : 'Reading…'}</p></div>
      <div class="page-tools">
        ${q && html`<${CsvLink} path=${q} />`}
        ${shops.length > 1 &&
        html`<label class="picker">Shop
          <select aria-label="Shop" value=${scope} onChange=${(e) => setScope(e.target.value)}>
            <option value="">All my shops</option>
            ${shops.map((s) => html`<option value=${s.shopId}>${s.name ? `${s.name} (${s.shopId})` : s.shopId}</option>`)}
          </select>
        </label>`}
      </div>
    </header>
    <${DemoBanner} data=${h} />
    ${(error || shopError) && html`<p class="error" role="status">${error || shopError}</p>`}
    ${h &&
    html`<section class=${'needs-action' + (h.actions.length ? ' has' : ' none')} aria-label="Needs action now">
        <h3>Needs action now <span class="count">${h.actions.length}</span></h3>
        ${h.actions.length
          ? html`<ul>${h.actions.map((a) => html`<${Action} a=${a} />`)}</ul>`
          : html`<p class="ok">Nothing needs action: keys valid, channels connected, no error spike, no SLA breach.</p>`}
      </section>
      <div class="tiles">
        <${Tile} testid="health-inbound" label="Inbound, 24 h" value=${num(l.inbound)} def="Buyer messages received in the last 24 hours." caption="buyer messages received" />
        <${Tile} testid="health-outbound" label="Outbound, 24 h" value=${num(l.outbound)} def="Replies sent to buyers (bot and agents) in the last 24 hours." caption="replies sent, bot and agents" />
        <${Tile} testid="health-failures" label="Send failures, 24 h" value=${num(l.sendFailures)} tone=${l.sendFailures ? 'bad' : ''} def="Replies the platform refused or that failed to send, last 24 hours." caption="replies not delivered" />
        <${Tile} testid="health-handoffs" label="Handoffs, 24 h" value=${num(l.handoffs)} def="Conversations handed to an agent in the last 24 hours." caption="handed to an agent" />
        <${Tile} testid="health-unmatched" label="Unmatched rate" value=${pct(l.unmatchedRate)} sub=${`${num(l.unmatched)} questions not understood`} def="Questions no intent matched ÷ inbound messages, last 24 hours." caption="not understood ÷ inbound" />
        <${Tile} testid="health-sla" label="SLA breaches" value=${num(h.slaBreaches)} tone=${h.slaBreaches ? 'warn' : ''} def="Tickets still owed whose due time has passed." caption="tickets past their due time" />
      </div>
      <div class="cards">
        <${Card} title="Last 24 hours">
          <${BarChart}
            labels=${['Inbound', 'Outbound', 'Handoffs', 'Not understood', 'Send failures']}
            values=${[l.inbound, l.outbound, l.handoffs, l.unmatched, l.sendFailures]}
            label="Messages"
          />
        </${Card}>
        <${Card} title="Channels and carrier keys">
          <ul class="states">
            ${channels.length
              ? channels.map((c) => html`<li><span class="chip bad">logged out</span> ${c.channel} · ${c.shopId}</li>`)
              : html`<li><span class="chip good">connected</span> no channel logged out in the last 7 days</li>`}
            ${keys.length
              ? keys.map(
                  (k) => html`<li><span class=${'chip ' + (k.kind === 'carrier_key_expired' ? 'bad' : 'warn')}>${k.kind === 'carrier_key_expired' ? 'expired' : 'expiring'}</span>
                    ${k.carrier.toUpperCase()} · ${k.shopId} · ${hours(k.hoursLeft)}</li>`,
                )
              : html`<li><span class="chip good">valid</span> no carrier key expires within the warning window</li>`}
          </ul>
        </${Card}>
        <${Card} title="Errors, last hour">
          <table class="table compact">
            <thead><tr><th>Source</th><th class="num">Last hour</th><th class="num">Hourly average</th><th>State</th></tr></thead>
            <tbody>
              ${spikes.map(
                ([k, s]) => html`<tr><td>${label(k.replace(/([A-Z])/g, ' $1').toLowerCase())}</td><td class="num">${num(s.lastHour)}</td><td class="num">${num(s.hourlyAverage)}</td>
                  <td>${s.spike ? html`<span class="chip bad">spike</span>` : html`<span class="chip good">normal</span>`}</td></tr>`,
              )}
            </tbody>
          </table>
          <p class="hint">Every process's counters, including separate workers: <code>/metrics</code> (Prometheus).</p>
        </${Card}>
        ${h.thisProcess && html`<${ProcessCards} p=${h.thisProcess} />`}
      </div>`}
  </div>`;
}
