// Usage and billing estimate of a shop's calendar month (admins; GET /desk/api/usage, rules in
// docs/insights.md "Metering"): billable conversations, what was left out, the price tiers, the
// advanced-tracking add-on, the total so far and the running estimate to the month's end; CSV export.
import { useState } from 'preact/hooks';
import { html, enc } from './api.js';
import { BarChart, CsvLink } from './chart.js';
import { Card, DemoBanner, ShopPicker, Tile, num, routeQuery, useReport, useShops } from './insights.js';

const thisMonth = () => new Date().toLocaleDateString('en-CA').slice(0, 7);
const money = (v, currency = 'USD') =>
  v === null || v === undefined ? '—' : new Intl.NumberFormat('en', { style: 'currency', currency, maximumFractionDigits: 3 }).format(Number(v));
const range = (t) => (t.to === null ? `above ${num(t.from - 1)}` : `${num(t.from)} – ${num(t.to)}`);

export const USAGE_DEFS = {
  billable: 'Conversations opened in the month (shop time zone) where the bot recognised an intent and that did not end in a system timeout.',
  tracking: 'Billable conversations answered from a carrier’s own tracking API (DHL, FedEx, UPS, USPS), billed as an add-on.',
  estimate: 'The month so far projected to its end at the same pace.',
};

export function Usage({ me }) {
  const { shops, shop, setShop, error: shopError } = useShops();
  const [month, setMonth] = useState(routeQuery().month || thisMonth());
  const q = shop && me.role === 'admin' ? `/usage?shop=${enc(shop)}&month=${month}` : null;
  const { data: u, error, loading } = useReport(q);
  if (me.role !== 'admin')
    return html`<div class="page insights"><h2>Usage</h2><p class="empty">Usage and billing are for admins.</p></div>`;
  const cur = u?.currency || 'USD';
  return html`<div class="page insights" aria-busy=${loading ? 'true' : 'false'}>
    <header class="page-head">
      <div><h2>Usage</h2><p class="hint">Billable conversations and the billing estimate of a calendar month${u ? ` (${u.timeZone})` : ''}.</p></div>
      <div class="page-tools">
        <${ShopPicker} shops=${shops} shop=${shop} setShop=${setShop} />
        <label class="picker">Month <input type="month" aria-label="Month" value=${month} onChange=${(e) => e.target.value && setMonth(e.target.value)} /></label>
        ${q && html`<${CsvLink} path=${q} />`}
      </div>
    </header>
    <${DemoBanner} data=${u} />
    ${(error || shopError) && html`<p class="error" role="status">${error || shopError}</p>`}
    ${u &&
    html`<div class="tiles">
        <${Tile} testid="usage-billable" label="Billable conversations" value=${num(u.billable)} sub=${`of ${num(u.conversations)} opened`} def=${USAGE_DEFS.billable} caption="intent recognised, no system timeout" />
        <${Tile} testid="usage-tracking" label="Advanced tracking" value=${num(u.advancedTracking)} sub=${`${money(u.addOn.unitPrice, cur)} each`} def=${USAGE_DEFS.tracking} caption="carrier’s own tracking API, add-on" />
        <${Tile} testid="usage-total" label="Total so far" value=${money(u.total, cur)} sub=${u.month} tone="accent" />
        ${u.runningEstimate &&
        html`<${Tile} testid="usage-estimate" label="Running estimate" value=${money(u.runningEstimate.total, cur)}
          sub=${`≈ ${num(u.runningEstimate.billable)} billable by the month’s end`} def=${USAGE_DEFS.estimate} caption="at this pace to the month’s end" />`}
      </div>
      <div class="cards">
        <${Card} title="Conversations of the month">
          <${BarChart}
            labels=${['Billable', 'Billable, tracking add-on', 'Excluded: no intent', 'Excluded: timeout']}
            values=${[u.billable, u.advancedTracking, u.excluded.noIntent, u.excluded.timeouts]}
            label="Conversations"
          />
        </${Card}>
        <${Card} title="Price tiers">
          <table class="table compact" data-testid="usage-tiers">
            <thead><tr><th>Conversations</th><th class="num">Count</th><th class="num">Unit price</th><th class="num">Amount</th></tr></thead>
            <tbody>
              ${u.tiers.map(
                (t) => html`<tr class=${t.count ? '' : 'dim'}><td>${range(t)}</td><td class="num">${num(t.count)}</td><td class="num">${Number(t.unitPrice) ? money(t.unitPrice, cur) : 'free'}</td><td class="num">${money(t.amount, cur)}</td></tr>`,
              )}
              <tr><td>Advanced tracking add-on</td><td class="num">${num(u.addOn.count)}</td><td class="num">${money(u.addOn.unitPrice, cur)}</td><td class="num">${money(u.addOn.amount, cur)}</td></tr>
              <tr class="total"><td>Total</td><td class="num">${num(u.billable)}</td><td></td><td class="num">${money(u.total, cur)}</td></tr>
            </tbody>
          </table>
          <p class="hint">Not billed: ${num(u.excluded.noIntent)} with no recognised intent, ${num(u.excluded.timeouts)} ended by a system timeout.</p>
        </${Card}>
      </div>`}
  </div>`;
}
