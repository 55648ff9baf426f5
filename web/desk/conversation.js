// One conversation: header with the agent's actions (accept, release to the bot, close, open a
// ticket, the workflow in the Temporal UI), the transcript, the reply box with canned responses,
// internal notes, and the buyer sidebar. With a translation provider (GET /translation), a buyer
// message in another language than the agent's can be shown translated next to the original, and
// a reply can be sent translated into the buyer's language (docs/translation.md).
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, html, go, enc } from './api.js';
import { useLiveLoad } from './live.js';
import { clock, STATUS_LABEL, CHANNEL_LABEL, initials } from './format.js';
import { BuyerSidebar, placeholderValues } from './sidebar.js';
import { RootCauseEditor } from './root-causes.js';

const AUTHOR = { buyer: 'Buyer', bot: 'Bot', system: 'System', agent: 'Agent', seller: 'Seller (platform inbox)' };

/** A buyer message translated on demand into the agent's language (not cached, metered to the shop). */
function TranslateButton({ convId, m, tr }) {
  const [t, setT] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      setT(await api(`/conversations/${enc(convId)}/messages/${enc(m.id)}/translate`, { method: 'POST', body: {} }));
    } catch (e) {
      setError(e.message);
    } finally {
      setBusy(false);
    }
  };
  if (t)
    return html`<div class="translation" data-testid="translation">
      <span class="chip lang" title=${'Machine translation by ' + t.provider}>${(t.from || '?') + ' → ' + t.to}</span>${t.text}
    </div>`;
  return html`<div class="msg-tools">
    <button type="button" class="ghost" disabled=${busy} onClick=${run}>${busy ? 'Translating…' : `Translate to ${tr.readLanguage}`}</button>
    ${error && html`<span class="error">${error}</span>`}
  </div>`;
}

/** A message's attachments: web chat uploads open from the desk (images as thumbnails); others are named. */
function Attachments({ list }) {
  return html`<div class="attachments">
    ${list.map((a) =>
      a.url && a.type === 'image'
        ? html`<a href=${a.url} target="_blank" rel="noopener"><img class="att-thumb" src=${a.url} alt=${'Photo from the buyer (' + a.mimeType + ')'} /></a>`
        : a.url
          ? html`<a class="chip" href=${a.url} target="_blank" rel="noopener">📄 ${a.mimeType === 'application/pdf' ? 'PDF' : a.mimeType || 'File'}${a.sizeBytes ? ` · ${Math.ceil(a.sizeBytes / 1024)} KB` : ''}</a>`
          : html`<span class="chip">${a.name || a.type}</span>`,
    )}
  </div>`;
}

function Message({ m, buyerId, convId, tr }) {
  const foreign = tr && tr.provider && m.author === 'buyer' && m.text && (!m.language || m.language.split('-')[0] !== tr.readLanguage.split('-')[0]);
  const who = m.author === 'agent' ? m.agentName || m.agentId || 'Agent' : m.author === 'buyer' ? buyerId : AUTHOR[m.author] || m.author;
  return html`<div class=${'msg from-' + m.author} data-author=${m.author}>
    <div class="msg-meta">
      <span class="msg-author">${who}</span>
      ${m.language && html`<span class="chip lang" title="Language">${m.language}${m.languageFallback ? ' (fallback)' : ''}</span>`}
      <span class="msg-time">${clock(m.at)}</span>
    </div>
    ${m.text && html`<div class="bubble">${m.text}</div>`}
    ${m.attachments && m.attachments.length > 0 && html`<${Attachments} list=${m.attachments} />`}
    ${foreign && html`<${TranslateButton} convId=${convId} m=${m} tr=${tr} />`}
    ${m.original &&
    html`<div class="original" data-testid="original" title=${'Sent translated by ' + (m.original.provider || 'machine translation')}>
      Typed in ${m.original.language || '?'}: ${m.original.text}
    </div>`}
    ${m.faq &&
    html`<div class="faq-match faq" title="Matched FAQ entry">
      <span>FAQ</span> ${m.faq.question || m.faq.id}
      ${m.faq.confidence !== null && html`<b class=${m.faq.confidence >= 0.6 ? 'conf hi' : 'conf lo'}>${Math.round(m.faq.confidence * 100)}%</b>`}
    </div>`}
    ${m.source && !m.faq && m.author === 'bot' && html`<div class="faq-match source"><span>${m.source.replace(/_/g, ' ')}</span></div>`}
    ${m.status === 'failed' && html`<div class="send-error">Not delivered: ${m.error}</div>`}
  </div>`;
}

function Composer({ conv, me, canReply, buyer, onSent, tr }) {
  const [mode, setMode] = useState('reply');
  // Offered when a provider is configured and the buyer writes in another language than the agent reads.
  const canTranslate = !!(tr && tr.provider && conv.language && conv.language.split('-')[0] !== tr.readLanguage.split('-')[0]);
  const [translate, setTranslate] = useState(true);
  const [text, setText] = useState('');
  const [canned, setCanned] = useState([]);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const q = conv.language ? `?language=${enc(conv.language)}` : '';
    api(`/shops/${enc(conv.shopId)}/canned${q}`)
      .then((r) => setCanned(r.canned))
      .catch(() => setCanned([]));
  }, [conv.shopId, conv.language]);
  const fill = (id) => {
    const c = canned.find((x) => x.id === id);
    if (!c) return;
    const values = placeholderValues(buyer, conv, me);
    setText(c.text.replace(/\{([a-z_]+)\}/g, (w, k) => values[k] || w));
  };
  const send = async (e) => {
    e.preventDefault();
    if (!text.trim()) return;
    setBusy(true);
    setError(null);
    try {
      if (mode === 'reply' && canTranslate && translate)
        await api(`/conversations/${enc(conv.id)}/message-translated`, { method: 'POST', body: { text, to: conv.language } });
      else if (mode === 'reply') await api(`/conversations/${enc(conv.id)}/message`, { method: 'POST', body: { text } });
      else await api(`/conversations/${enc(conv.id)}/notes`, { method: 'POST', body: { text } });
      setText('');
      onSent(mode);
    } catch (err) {
      setError(err.message);
    } finally {
      setBusy(false);
    }
  };
  const disabled = mode === 'reply' && !canReply;
  return html`<form class=${'composer ' + mode} onSubmit=${send}>
    <div class="composer-tabs">
      <button type="button" class=${mode === 'reply' ? 'active' : ''} onClick=${() => setMode('reply')}>Reply</button>
      <button type="button" class=${mode === 'note' ? 'active' : ''} onClick=${() => setMode('note')}>Internal note</button>
      ${mode === 'reply' &&
      html`<select aria-label="Canned responses" onChange=${(e) => (fill(e.target.value), (e.target.value = ''))}>
        <option value="">Canned responses${canned.length ? ` (${canned.length})` : ''}…</option>
        ${canned.map((c) => html`<option value=${c.id}>${c.title} · ${c.language}</option>`)}
      </select>`}
    </div>
    <textarea
      name=${mode}
      aria-label=${mode === 'reply' ? 'Reply to the buyer' : 'Internal note'}
      placeholder=${disabled
        ? 'Accept the conversation to reply.'
        : mode === 'reply'
          ? `Reply to ${conv.buyerId}… (Ctrl+Enter sends)`
          : 'Note for your team — never sent to the buyer'}
      disabled=${disabled}
      value=${text}
      onInput=${(e) => setText(e.target.value)}
      onKeyDown=${(e) => e.key === 'Enter' && (e.ctrlKey || e.metaKey) && send(e)}
    ></textarea>
    <div class="composer-foot">
      ${error ? html`<span class="error">${error}</span>` : html`<span class="hint">${mode === 'note' ? 'Only agents see notes.' : ''}</span>`}
      ${mode === 'reply' &&
      canTranslate &&
      html`<label class="composer-translate"
        ><input type="checkbox" checked=${translate} onChange=${(e) => setTranslate(e.target.checked)} /> Send in ${conv.language} (machine translated; your text is kept)</label
      >`}
      <button class="primary" type="submit" disabled=${busy || disabled || !text.trim()}>${mode === 'reply' ? 'Send' : 'Add note'}</button>
    </div>
  </form>`;
}

function TicketForm({ conv, onDone }) {
  const [subject, setSubject] = useState(conv.intent ? `Follow-up: ${conv.intent.replace(/_/g, ' ')}` : 'Follow-up');
  const [priority, setPriority] = useState(conv.priority || 'normal');
  const [error, setError] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    try {
      const t = await api('/tickets', { method: 'POST', body: { conversationId: conv.id, subject, priority } });
      onDone();
      go('#/tickets/' + enc(t.id));
    } catch (err) {
      setError(err.message);
    }
  };
  return html`<form class="ticket-form" onSubmit=${submit}>
    <input aria-label="Ticket subject" value=${subject} onInput=${(e) => setSubject(e.target.value)} required maxlength="200" />
    <select aria-label="Priority" value=${priority} onChange=${(e) => setPriority(e.target.value)}>
      ${['low', 'normal', 'high', 'urgent'].map((p) => html`<option value=${p}>${p}</option>`)}
    </select>
    <button class="primary" type="submit">Create ticket</button>
    <button type="button" class="ghost" onClick=${onDone}>Cancel</button>
    ${error && html`<span class="error">${error}</span>`}
  </form>`;
}

export function Conversation({ id, me, live, onGone }) {
  const [data, setData] = useState(null);
  const [messages, setMessages] = useState([]);
  const [notes, setNotes] = useState([]);
  const [buyer, setBuyer] = useState(null);
  const [error, setError] = useState(null);
  const [actionError, setActionError] = useState(null);
  const [ticketForm, setTicketForm] = useState(false);
  const [tr, setTr] = useState(null);
  const log = useRef(null);
  const base = `/conversations/${enc(id)}`;
  const load = async () => {
    try {
      const [d, m, n] = await Promise.all([api(base), api(base + '/messages'), api(base + '/notes')]);
      setData(d);
      setMessages(m.messages);
      setNotes(n.notes);
      setError(null);
    } catch (e) {
      if (e.status === 404) onGone();
      setError(e.message);
    }
  };
  const loadBuyer = () =>
    api(base + '/buyer')
      .then(setBuyer)
      .catch(() => setBuyer(null));
  // Only the feed's events about this conversation re-read it.
  const [rev, setRev] = useState(0);
  useEffect(() => {
    const ev = live.last;
    if (ev && ev.data && (ev.data.conversationId === id || ev.data.id === id)) setRev((r) => r + 1);
  }, [live.tick.message, live.tick.conversation]);
  useLiveLoad(load, [id], [rev]);
  useLiveLoad(loadBuyer, [id], []);
  // The translation provider and the agent's reading language for this shop (no provider: no buttons).
  const shopId = data?.conversation?.shopId;
  useEffect(() => {
    if (!shopId) return;
    api(`/translation?shop=${enc(shopId)}`)
      .then(setTr)
      .catch(() => setTr(null));
  }, [shopId]);
  useEffect(() => {
    if (log.current) log.current.scrollTop = log.current.scrollHeight;
  }, [messages.length, notes.length]);
  if (error && !data) return html`<section class="conversation"><p class="error">${error}</p></section>`;
  if (!data) return html`<section class="conversation"><p class="empty">Loading…</p></section>`;
  const c = data.conversation;
  const heldByMe = c.status === 'agent' && c.agentId === me.id;
  const act = async (what, body) => {
    setActionError(null);
    try {
      await api(`${base}/${what}`, { method: 'POST', body: body || {} });
      // An accepted conversation is the agent's: keep it open under "Mine".
      if (what === 'accept') go('#/inbox/mine/' + enc(id));
      setTimeout(load, 400);
    } catch (e) {
      setActionError(e.message);
    }
  };
  // Transcript and notes, in time order.
  const timeline = [
    ...messages.map((m) => ({ at: m.at, kind: 'm', m })),
    ...notes.map((n) => ({ at: n.at, kind: 'n', n })),
  ].sort((a, b) => new Date(a.at) - new Date(b.at));
  return html`<div class="conversation-wrap">
    <section class="conversation" aria-label="Conversation">
      <header class="conv-head">
        <span class="avatar big">${initials(c.buyerId)}</span>
        <div class="conv-title">
          <h2>${c.buyerId}</h2>
          <div class="conv-sub">
            <span class=${'status s-' + c.status} data-testid="status">${STATUS_LABEL[c.status] || c.status}</span>
            <span>${CHANNEL_LABEL[c.channel] || c.channel}</span>
            <span>shop ${c.shopId}</span>
            ${c.language && html`<span>lang ${c.language}</span>`}
            ${c.intent && html`<span>intent ${c.intent.replace(/_/g, ' ')}</span>`}
            ${c.agentId && html`<span>agent ${c.agentId}</span>`}
          </div>
        </div>
        <div class="conv-actions">
          ${(c.status === 'waiting_agent' || c.status === 'follow_up' || c.status === 'bot') &&
          html`<button class="primary" onClick=${() => act('accept')}>Accept</button>`}
          ${heldByMe && html`<button onClick=${() => act('release')}>Release to bot</button>`}
          ${c.status !== 'closed' && (heldByMe || me.role === 'admin') && html`<button onClick=${() => act('close', { resolved: true })}>Close</button>`}
          <button onClick=${() => setTicketForm(!ticketForm)}>Open a ticket</button>
          <a class="button ghost" href=${data.temporalUrl} target="_blank" rel="noopener noreferrer" title="The workflow in the Temporal Web UI">Open in Temporal ↗</a>
        </div>
      </header>
      ${actionError && html`<p class="error banner">${actionError}</p>`}
      ${ticketForm && html`<${TicketForm} conv=${c} onDone=${() => setTicketForm(false)} />`}
      ${c.handoffReason && c.status === 'waiting_agent' && html`<p class="banner info">Handed off: ${c.handoffReason.replace(/_/g, ' ')}</p>`}
      <${RootCauseEditor} key=${c.id + (c.rootCauses || []).join()} conv=${c} onSaved=${() => setTimeout(load, 100)} />
      <div class="transcript" ref=${log} aria-label="Transcript">
        ${timeline.map((t) =>
          t.kind === 'm'
            ? html`<${Message} key=${t.m.id} m=${t.m} buyerId=${c.buyerId} convId=${c.id} tr=${tr} />`
            : html`<div class="note" key=${t.n.id}>
                <div class="msg-meta"><span class="msg-author">${t.n.agentName || t.n.agentId}</span><span class="msg-kind">internal note</span><span class="msg-time">${clock(t.n.at)}</span></div>
                <div class="bubble">${t.n.text}</div>
              </div>`,
        )}
      </div>
      <${Composer} conv=${c} me=${me} canReply=${heldByMe} buyer=${buyer} tr=${tr} onSent=${() => setTimeout(load, 300)} />
    </section>
    <${BuyerSidebar} buyer=${buyer} conv=${c} />
  </div>`;
}
