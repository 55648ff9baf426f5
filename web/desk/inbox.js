// The inbox: the queue (tabs waiting / mine / unassigned / follow-up / all, sorted by wait, value or
// tier) beside the open conversation and the buyer sidebar.
import { useState } from 'preact/hooks';
import { api, html, go, enc } from './api.js';
import { useLiveLoad } from './live.js';
import { ago, money, STATUS_LABEL, CHANNEL_LABEL, initials } from './format.js';
import { Conversation } from './conversation.js';

const VIEWS = [
  ['waiting', 'Waiting'],
  ['mine', 'Mine'],
  ['unassigned', 'Unassigned'],
  ['follow_up', 'Follow-up'],
  ['all', 'All'],
];
const SORTS = [
  ['wait', 'Longest wait'],
  ['value', 'Order value'],
  ['tier', 'Tier'],
];

function Queue({ view, selected, live }) {
  const [sort, setSort] = useState(() => localStorage.getItem('sora-desk-sort') || 'wait');
  const [items, setItems] = useState(null);
  const [error, setError] = useState(null);
  const load = () =>
    api(`/conversations?view=${enc(view)}&sort=${enc(sort)}`)
      .then((r) => {
        setItems(r.conversations);
        setError(null);
      })
      .catch((e) => setError(e.message));
  useLiveLoad(load, [view, sort], [live.tick.conversation, live.tick.message]);
  const pick = (s) => {
    localStorage.setItem('sora-desk-sort', s);
    setSort(s);
  };
  return html`<section class="queue" aria-label="Queue">
    <div class="queue-head">
      <h2>Conversations</h2>
      <select aria-label="Sort" value=${sort} onChange=${(e) => pick(e.target.value)}>
        ${SORTS.map(([v, l]) => html`<option value=${v}>${l}</option>`)}
      </select>
    </div>
    <div class="tabs" role="tablist">
      ${VIEWS.map(
        ([v, l]) =>
          html`<a role="tab" aria-selected=${v === view} class=${'tab' + (v === view ? ' active' : '')} href=${'#/inbox/' + v}>${l}</a>`,
      )}
      <a role="tab" aria-selected="false" class="tab" href="#/tickets">Tickets</a>
    </div>
    ${error && html`<p class="error">${error}</p>`}
    ${items && items.length === 0 && html`<p class="empty">No conversations here.</p>`}
    <ul class="queue-list">
      ${(items || []).map(
        (c) => html`<li key=${c.key} data-conversation=${c.id}>
          <a class=${'queue-item' + (c.id === selected ? ' active' : '')} href=${'#/inbox/' + view + '/' + enc(c.id)}>
            <span class="avatar">${initials(c.buyerId)}</span>
            <span class="qi-main">
              <span class="qi-top">
                <strong class="qi-buyer">${c.buyerId}</strong>
                <span class="qi-wait" title="Waiting since">${ago(c.waitingSince || c.followUpSince || c.openedAt)}</span>
              </span>
              <span class="qi-last">${c.lastMessage ? c.lastMessage.text : '—'}</span>
              <span class="qi-tags">
                <span class=${'status s-' + c.status}>${STATUS_LABEL[c.status] || c.status}</span>
                <span class="chip">${CHANNEL_LABEL[c.channel] || c.channel}</span>
                ${c.language && html`<span class="chip">${c.language}</span>`}
                ${c.orderValueUsd !== null && html`<span class="chip value">${money(c.orderValueUsd)}</span>`}
                ${c.tier > 0 && html`<span class="chip tier">tier ${c.tier}</span>`}
                ${c.priority !== 'normal' && html`<span class=${'chip prio-' + c.priority}>${c.priority}</span>`}
              </span>
            </span>
          </a>
        </li>`,
      )}
    </ul>
  </section>`;
}

export function Inbox({ me, route, live }) {
  return html`<div class="inbox">
    <${Queue} view=${route.view} selected=${route.id} live=${live} />
    ${route.id
      ? html`<${Conversation} key=${route.id} id=${route.id} me=${me} live=${live} onGone=${() => go('#/inbox/' + route.view)} />`
      : html`<section class="placeholder"><div><h2>Pick a conversation</h2><p>Handoffs waiting for a human appear in <b>Waiting</b>, live.</p></div></section>`}
  </div>`;
}
