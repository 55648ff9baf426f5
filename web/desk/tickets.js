// Tickets: the list (status, assignee, search) and one ticket (its events, replies, status,
// priority, assignee, a reply to the buyer through the conversation's channel). The API is
// GET/POST /desk/api/tickets, GET/PATCH /desk/api/tickets/:id, POST /desk/api/tickets/:id/reply.
import { useState } from 'preact/hooks';
import { api, html, enc, go } from './api.js';
import { useLiveLoad } from './live.js';
import { ago, clock } from './format.js';

const STATUSES = ['open', 'pending', 'on_hold', 'solved', 'closed'];
const PRIORITIES = ['low', 'normal', 'high', 'urgent'];
const label = (s) => String(s || '').replace(/_/g, ' ');

function TicketList({ selected, live }) {
  const [status, setStatus] = useState('');
  const [assignee, setAssignee] = useState('');
  const [q, setQ] = useState('');
  const [tickets, setTickets] = useState(null);
  const [error, setError] = useState(null);
  const load = () => {
    const p = new URLSearchParams();
    if (status) p.set('status', status);
    if (assignee) p.set('assignee', assignee);
    if (q.trim()) p.set('q', q.trim());
    return api('/tickets' + (p.toString() ? '?' + p : ''))
      .then((r) => {
        setTickets(r.tickets);
        setError(null);
      })
      .catch((e) => setError(e.status === 404 ? 'Tickets are not served by this server yet.' : e.message));
  };
  useLiveLoad(load, [status, assignee, q], [live.tick.ticket]);
  return html`<section class="queue tickets" aria-label="Tickets">
    <div class="queue-head"><h2>Tickets</h2></div>
    <div class="filters">
      <input type="search" placeholder="Search subject, order, tracking…" aria-label="Search tickets" value=${q} onInput=${(e) => setQ(e.target.value)} />
      <select aria-label="Status" value=${status} onChange=${(e) => setStatus(e.target.value)}>
        <option value="">Any status</option>
        ${STATUSES.map((s) => html`<option value=${s}>${label(s)}</option>`)}
      </select>
      <select aria-label="Assignee" value=${assignee} onChange=${(e) => setAssignee(e.target.value)}>
        <option value="">Anyone</option><option value="me">Me</option><option value="none">Unassigned</option>
      </select>
    </div>
    ${error && html`<p class="error">${error}</p>`}
    ${tickets && tickets.length === 0 && html`<p class="empty">No tickets.</p>`}
    <ul class="queue-list">
      ${(tickets || []).map(
        (t) => html`<li key=${t.id}>
          <a class=${'queue-item ticket-item' + (t.id === selected ? ' active' : '')} href=${'#/tickets/' + enc(t.id)}>
            <span class="qi-main">
              <span class="qi-top"><strong>T-${t.number} · ${t.subject}</strong><span class="qi-wait">${ago(t.updatedAt)}</span></span>
              <span class="qi-tags">
                <span class=${'status t-' + t.status}>${label(t.status)}</span>
                <span class=${'chip prio-' + t.priority}>${t.priority}</span>
                <span class="chip">${label(t.source)}</span>
                ${t.assigneeId ? html`<span class="chip">@${t.assigneeId}</span>` : html`<span class="chip muted">unassigned</span>`}
                ${t.dueAt && html`<span class=${'chip' + (t.breachedAt ? ' breached' : '')}>due ${clock(t.dueAt)}</span>`}
              </span>
            </span>
          </a>
        </li>`,
      )}
    </ul>
  </section>`;
}

function TicketView({ id, me, live }) {
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const [reply, setReply] = useState('');
  const [note, setNote] = useState(null);
  const load = () =>
    api('/tickets/' + enc(id))
      .then((d) => {
        setData(d);
        setError(null);
      })
      .catch((e) => setError(e.message));
  useLiveLoad(load, [id], [live.tick.ticket]);
  if (error && !data) return html`<section class="conversation"><p class="error">${error}</p></section>`;
  if (!data) return html`<section class="conversation"><p class="empty">Loading…</p></section>`;
  const t = data.ticket;
  const patch = async (change) => {
    setNote(null);
    try {
      await api('/tickets/' + enc(id), { method: 'PATCH', body: change });
      load();
    } catch (e) {
      setNote(e.message);
    }
  };
  const send = async (e) => {
    e.preventDefault();
    setNote(null);
    try {
      await api('/tickets/' + enc(id) + '/reply', { method: 'POST', body: { text: reply } });
      setReply('');
      load();
    } catch (err) {
      setNote(err.message);
    }
  };
  const timeline = [
    ...(data.events || []).map((e) => ({ ...e, type: 'event' })),
    ...(data.replies || []).map((r) => ({ ...r, type: 'reply' })),
  ].sort((a, b) => new Date(a.at) - new Date(b.at));
  return html`<div class="conversation-wrap">
    <section class="conversation ticket-view" aria-label="Ticket">
      <header class="conv-head">
        <div class="conv-title">
          <h2>T-${t.number} · ${t.subject}</h2>
          <div class="conv-sub">
            <span class=${'status t-' + t.status}>${label(t.status)}</span>
            <span>shop ${t.shopId}</span><span>${t.channel}</span><span>buyer ${t.buyerId}</span>
            <span>opened ${clock(t.createdAt)} (${label(t.source)})</span>
          </div>
        </div>
        <div class="conv-actions">
          ${t.assigneeId !== me.id && html`<button onClick=${() => patch({ assigneeId: me.id })}>Assign to me</button>`}
          ${t.status !== 'solved' && t.status !== 'closed' && html`<button class="primary" onClick=${() => patch({ status: 'solved' })}>Mark solved</button>`}
        </div>
      </header>
      ${note && html`<p class="error banner">${note}</p>`}
      <div class="ticket-fields">
        <label>Status<select value=${t.status} onChange=${(e) => patch({ status: e.target.value })}>${STATUSES.map((s) => html`<option value=${s}>${label(s)}</option>`)}</select></label>
        <label>Priority<select value=${t.priority} onChange=${(e) => patch({ priority: e.target.value })}>${PRIORITIES.map((s) => html`<option value=${s}>${s}</option>`)}</select></label>
        <label>Assignee<span class="field">${t.assigneeId || 'unassigned'}</span></label>
        <label>Due<span class=${'field' + (t.breachedAt ? ' breached' : '')}>${t.dueAt ? clock(t.dueAt) : '—'}${t.breachedAt ? ' · SLA breached' : ''}</span></label>
        <label>Order<span class="field">${t.orderNumber || '—'}${t.trackingNumber ? ' · ' + t.trackingNumber : ''}</span></label>
        <label>Tags<span class="field">${(t.tags || []).join(', ') || '—'}</span></label>
      </div>
      <div class="conv-links">
        ${(t.conversationIds || []).map((c) => html`<a href=${'#/inbox/all/' + enc(c)}>Conversation ${c}</a>`)}
      </div>
      <div class="transcript" aria-label="Ticket history">
        ${timeline.length === 0 && html`<p class="empty">No activity yet.</p>`}
        ${timeline.map((x) =>
          x.type === 'event'
            ? html`<div class="event-line"><span class="msg-time">${clock(x.at)}</span> ${x.text || label(x.kind)}${x.by ? html` <span class="muted">· ${x.by}</span>` : ''}</div>`
            : html`<div class="msg from-agent">
                <div class="msg-meta"><span class="msg-author">${x.by || 'Agent'}</span><span class="msg-kind">reply to buyer · ${x.status}</span><span class="msg-time">${clock(x.at)}</span></div>
                <div class="bubble">${x.text}</div>
                ${x.error && html`<div class="send-error">${x.error}</div>`}
              </div>`,
        )}
      </div>
      <form class="composer" onSubmit=${send}>
        <textarea aria-label="Reply on the ticket" placeholder="Reply to the buyer through the conversation's channel…" value=${reply} onInput=${(e) => setReply(e.target.value)}></textarea>
        <div class="composer-foot"><span class="hint">Sent through ${t.channel}; a refusal (e.g. WhatsApp's 24-hour window) shows here.</span><button class="primary" type="submit" disabled=${!reply.trim()}>Send reply</button></div>
      </form>
    </section>
  </div>`;
}

export function Tickets({ me, id, live }) {
  return html`<div class="inbox">
    <${TicketList} selected=${id} live=${live} />
    ${id
      ? html`<${TicketView} key=${id} id=${id} me=${me} live=${live} />`
      : html`<section class="placeholder"><div><h2>Pick a ticket</h2><p>Open one from a conversation with <b>Open a ticket</b>.</p><button class="link" onClick=${() => go('#/inbox/waiting')}>Back to the inbox</button></div></section>`}
  </div>`;
}
