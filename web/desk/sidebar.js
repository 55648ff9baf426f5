// The buyer sidebar: orders and parcels, the last tracking answer, coupons, earlier conversations,
// NPS answers. Also fills canned-response placeholders.
import { html } from './api.js';
import { clock, money } from './format.js';
import { ParcelIcon } from './icons.js';

/** {order_number} {tracking_link} {buyer_name} {agent_name} from what the sidebar knows. */
export function placeholderValues(buyer, conv, me) {
  const orders = (buyer && buyer.orders) || [];
  const order = orders.find((o) => o.orderNumber === conv.focusOrder) || orders[0];
  const parcel = order && order.parcels[0];
  return {
    order_number: order ? order.orderNumber : conv.focusOrder || '',
    tracking_link: parcel ? parcel.trackingLink : '',
    buyer_name: conv.buyerId,
    agent_name: me.name,
  };
}

const Section = ({ title, count, children }) =>
  html`<section class="side-section"><h3>${title}${count !== undefined && html`<span class="count">${count}</span>`}</h3>${children}</section>`;

export function BuyerSidebar({ buyer, conv }) {
  if (!buyer) return html`<aside class="sidebar" aria-label="Buyer"><p class="empty">Loading the buyer…</p></aside>`;
  const b = buyer.buyer;
  return html`<aside class="sidebar" aria-label="Buyer">
    <${Section} title="Buyer">
      <dl class="facts">
        <dt>Id</dt><dd>${b.id}</dd>
        <dt>Channel</dt><dd>${b.channel}</dd>
        <dt>Language</dt><dd>${b.language || '—'}</dd>
        ${b.country && html`<dt>Country</dt><dd>${b.country}</dd>`}
        <dt>First seen</dt><dd>${clock(b.firstSeenAt) || '—'}</dd>
        <dt>Messages</dt><dd>${b.messages}</dd>
      </dl>
    <//>
    <${Section} title="Orders" count=${buyer.orders.length}>
      ${buyer.orders.length === 0 && html`<p class="empty small">No order linked to this buyer.</p>`}
      ${buyer.orders.map(
        (o) => html`<div class=${'order' + (o.orderNumber === conv.focusOrder ? ' focus' : '')}>
          <div class="order-top"><strong>#${o.orderNumber}</strong><span class="chip">${o.status.replace(/_/g, ' ')}</span></div>
          <div class="order-sub">${money(o.total ?? o.totalUsd, o.total !== null ? o.currency : 'USD')} · ${clock(o.placedAt)}${o.country ? ' · ' + o.country : ''}</div>
          ${o.items.length > 0 && html`<div class="order-items">${o.items.map((i) => html`<span>${i.quantity}× ${i.name || i.sku}</span>`)}</div>`}
          ${o.parcels.map(
            (p) => html`<div class="parcel">
              ${ParcelIcon({ size: 15 })} ${p.carrier || 'carrier?'}
              <a href=${p.trackingLink} target="_blank" rel="noopener noreferrer">${p.trackingNumber}</a>
              ${p.status && html`<span class="chip">${p.status.replace(/_/g, ' ')}</span>`}
              ${p.lastEvent &&
              html`<div class="small parcel-event" data-testid="parcel-event">
                ${p.lastEvent.description}${p.lastEvent.place ? ` · ${p.lastEvent.place}` : ''} · ${p.lastEvent.time.slice(0, 16).replace('T', ' ')}
              </div>`}
            </div>`,
          )}
        </div>`,
      )}
      ${buyer.lastTracking &&
      html`<div class="last-tracking"><span class="label">Last tracking answer · ${clock(buyer.lastTracking.at)}</span>${buyer.lastTracking.text}</div>`}
      ${buyer.orders.some((o) => o.parcels.length) && !buyer.lastTracking && html`<p class="hint small">No tracking answer sent yet; the links open the carrier's public tracking.</p>`}
    <//>
    <${Section} title="Coupons given" count=${buyer.coupons.length}>
      ${buyer.coupons.length === 0 && html`<p class="empty small">None.</p>`}
      ${buyer.coupons.map((k) => html`<div class="coupon"><code>${k.code}</code> ${k.discount}${k.givenAt ? html` <span class="muted">· ${clock(k.givenAt)}</span>` : ''}</div>`)}
    <//>
    <${Section} title="Earlier conversations" count=${buyer.conversations.length}>
      ${buyer.conversations.length === 0 && html`<p class="empty small">None.</p>`}
      ${buyer.conversations.map(
        (e) => html`<div class="earlier">
          <span>${clock(e.openedAt)}</span> <span class="chip">${(e.intent || 'chat').replace(/_/g, ' ')}</span>
          <span class="muted">${e.closeReason ? e.closeReason.replace(/_/g, ' ') : e.status}${e.npsScore !== null ? ' · NPS ' + e.npsScore : ''}</span>
        </div>`,
      )}
    <//>
    <${Section} title="NPS answers" count=${buyer.nps.length}>
      ${buyer.nps.length === 0 && html`<p class="empty small">None.</p>`}
      ${buyer.nps.map((n) => html`<div class="nps"><b class=${n.score >= 9 ? 'promoter' : n.score <= 6 ? 'detractor' : 'passive'}>${n.score}</b> ${n.text}</div>`)}
    <//>
  </aside>`;
}
