// Health of the caller's shops (GET /desk/api/health, bots/desk/health.ts), re-read every 10 s:
// what needs action now (carrier keys expired or expiring, channels logged out, error spikes, SLA
// breaches), the last 24 h's traffic (inbound, outbound, send failures, handoffs, unmatched) as tiles
// and a chart, and the state of channels and carrier credentials. Per-process metrics: /metrics.
import { useState } from 'preact/hooks';
import { html, enc } from './api.js';
import { BarChart } from './chart.js';
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
          <p class="hint">Reply latency, carrier API errors and worker metrics per process: <code>/metrics</code> (Prometheus).</p>
        </${Card}>
      </div>`}
  </div>`;
}
