// Root causes (GET /desk/api/reports/root-causes): the distribution of the 23-cause taxonomy over
// conversations closed in the period, the daily trend of the top causes (`topCauses`, `series`), the
// change vs the previous period of equal length, and the counts grouped by channel, country, carrier
// or SKU; CSV export. RootCauseEditor is the conversation
// view's correction box (PUT /desk/api/conversations/:id/root-causes).
import { useState } from 'preact/hooks';
import { api, html, enc } from './api.js';
import { BarChart, CsvLink, LineChart } from './chart.js';
import { Card, DemoBanner, PeriodPicker, ShopPicker, label, num, routeQuery, usePeriod, useReport, useShops } from './insights.js';

/** The taxonomy (models/root-cause-taxonomy.ts; docs/insights.md defines each cause). The server checks tags. */
export const ROOT_CAUSES = [
  'logistics.customs_delay', 'logistics.lost_parcel', 'logistics.slow_transit', 'logistics.wrong_address', 'logistics.delivery_failed',
  'product.colour_mismatch', 'product.size_fit', 'product.quality_defect', 'product.not_as_described',
  'order.change', 'order.cancel', 'order.status', 'payment.failed', 'payment.method',
  'after_sales.refund_status', 'after_sales.return_request', 'after_sales.coupon_promotion',
  'pre_sales.product_question', 'pre_sales.shipping_cost', 'account.login', 'account.privacy', 'other.complaint', 'other.unknown',
];
const DIMENSIONS = [
  ['channel', 'Channel'],
  ['country', 'Country'],
  ['carrier', 'Carrier'],
  ['sku', 'SKU'],
];

function Change({ t }) {
  if (t.change === 0) return html`<span class="delta flat" title="Same as the previous period">= 0</span>`;
  const up = t.change > 0;
  const rel = t.changePct === null || t.changePct === undefined ? 'new' : `${up ? '+' : ''}${t.changePct}%`;
  // More of a cause is worse: up is red, down is green.
  return html`<span class=${'delta ' + (up ? 'up' : 'down')} title=${`${t.previous} in the previous period`}>${up ? '▲' : '▼'} ${up ? '+' : ''}${t.change} <small>(${rel})</small></span>`;
}

export function RootCauses() {
  const { shops, shop, setShop, error: shopError } = useShops();
  const [period, setPeriod] = usePeriod(30);
  const [by, setBy] = useState(routeQuery().by || 'channel');
  const q = shop ? `/reports/root-causes?shop=${enc(shop)}&from=${period.from}&to=${period.to}&by=${by}` : null;
  const { data: r, error, loading } = useReport(q);
  const totals = r ? Object.entries(r.totals).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])) : [];
  const all = totals.reduce((s, [, n]) => s + n, 0);
  const trend = r ? [...r.trend].sort((a, b) => b.count - a.count || Math.abs(b.change) - Math.abs(a.change)) : [];
  const groups = r ? Object.keys(r.groups).sort() : [];
  return html`<div class="page insights" aria-busy=${loading ? 'true' : 'false'}>
    <header class="page-head">
      <div><h2>Root causes</h2><p class="hint">Why buyers wrote: tags of conversations closed in the period (agents' corrections included).</p></div>
      <div class="page-tools">
        <${ShopPicker} shops=${shops} shop=${shop} setShop=${setShop} />
        ${q && html`<${CsvLink} path=${q} />`}
      </div>
    </header>
    <${PeriodPicker} period=${period} setPeriod=${setPeriod} />
    <${DemoBanner} data=${r} />
    ${(error || shopError) && html`<p class="error" role="status">${error || shopError}</p>`}
    ${r &&
    html`<div class="cards">
      <${Card} title=${`Distribution · ${num(all)} tags`}>
        ${totals.length
          ? html`<${BarChart} labels=${totals.map(([c]) => c)} values=${totals.map(([, n]) => n)} label="Conversations" />`
          : html`<p class="empty small">No conversation closed in the period.</p>`}
      </${Card}>
      <${Card} title=${`Change vs ${r.previousPeriod.from} – ${r.previousPeriod.to}`}>
        <table class="table compact" data-testid="rc-trend">
          <thead><tr><th>Cause</th><th class="num">Now</th><th class="num">Before</th><th class="num">Change</th></tr></thead>
          <tbody>
            ${trend.map(
              (t) => html`<tr><td>${t.cause}</td><td class="num">${num(t.count)}</td><td class="num">${num(t.previous)}</td><td class="num"><${Change} t=${t} /></td></tr>`,
            )}
          </tbody>
        </table>
      </${Card}>
      ${r.topCauses?.length > 0 &&
      r.series?.length > 1 &&
      html`<${Card} title=${`Top ${r.topCauses.length} causes by day`} wide>
        <${LineChart}
          days=${r.series.map((d) => d.day)}
          series=${r.topCauses.map((c) => ({ label: c, values: r.series.map((d) => d.counts[c] ?? 0) }))}
          yLabel="Conversations"
          height=${200}
        />
      </${Card}>`}
      <${Card}
        title="By group"
        wide
        actions=${html`<select aria-label="Group by" value=${by} onChange=${(e) => setBy(e.target.value)}>
          ${DIMENSIONS.map(([v, l]) => html`<option value=${v}>${l}</option>`)}
        </select>`}
      >
        ${groups.length
          ? html`<table class="table compact" data-testid="rc-groups">
              <thead><tr><th>Cause</th>${groups.map((g) => html`<th class="num">${by === 'sku' ? g : label(g)}</th>`)}</tr></thead>
              <tbody>
                ${totals.map(
                  ([c]) => html`<tr><td>${c}</td>${groups.map((g) => html`<td class="num">${r.groups[g][c] ? num(r.groups[g][c]) : ''}</td>`)}</tr>`,
                )}
              </tbody>
            </table>`
          : html`<p class="empty small">Nothing to group.</p>`}
      </${Card}>
    </div>`}
  </div>`;
}

/** The tags of a closed conversation, and the agent's correction of them. */
export function RootCauseEditor({ conv, onSaved }) {
  const [editing, setEditing] = useState(false);
  const [tags, setTags] = useState(conv.rootCauses || []);
  const [error, setError] = useState(null);
  if (!conv.rootCauses && conv.status !== 'closed') return null;
  const current = conv.rootCauses || [];
  const save = async (e) => {
    e.preventDefault();
    setError(null);
    try {
      await api(`/conversations/${enc(conv.id)}/root-causes`, { method: 'PUT', body: { tags } });
      setEditing(false);
      onSaved();
    } catch (err) {
      setError(err.message);
    }
  };
  const toggle = (c) => setTags(tags.includes(c) ? tags.filter((t) => t !== c) : [...tags, c]);
  return html`<div class="root-causes" aria-label="Root causes">
    <span class="rc-title">Root causes</span>
    ${current.length ? current.map((t) => html`<span class="chip rc">${t}</span>`) : html`<span class="muted small">not tagged yet</span>`}
    ${conv.rootCausesAuto &&
    [...conv.rootCausesAuto].sort().join() !== [...current].sort().join() &&
    html`<span class="muted small" title=${'Tagged automatically: ' + conv.rootCausesAuto.join(', ')}>corrected by an agent</span>`}
    ${!editing && html`<button class="link" type="button" onClick=${() => (setTags(current), setEditing(true))}>Correct</button>`}
    ${editing &&
    html`<form class="rc-form" onSubmit=${save}>
      <div class="rc-options">
        ${ROOT_CAUSES.map(
          (c) => html`<label class=${tags.includes(c) ? 'on' : ''}><input type="checkbox" checked=${tags.includes(c)} onChange=${() => toggle(c)} />${c}</label>`,
        )}
      </div>
      <div class="rc-foot">
        ${error && html`<span class="error">${error}</span>`}
        <button type="button" class="ghost" onClick=${() => setEditing(false)}>Cancel</button>
        <button class="primary" type="submit" disabled=${!tags.length}>Save tags</button>
      </div>
    </form>`}
  </div>`;
}
