// Machine-translated FAQ answers to review (docs/translation.md): per shop, each answer the
// translation provider wrote for a language the seller did not (language, the seller's source, the
// translation, the provider). Approve keeps it (marked reviewed); Save edit makes the text the
// seller's own answer (never re-translated over). Admins also edit the shop's glossary here: terms
// never translated (the KB's SKUs are added automatically).
import { useEffect, useState } from 'preact/hooks';
import { api, html, enc } from './api.js';
import { ShopPicker, useShops } from './insights.js';

function Row({ shop, item, onDone }) {
  const [text, setText] = useState(item.translation);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const path = `/shops/${enc(shop)}/machine-answers/${enc(item.questionId)}/${enc(item.language)}`;
  const run = async (fn) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      onDone();
    } catch (e) {
      setError(e.message);
    } finally {
      setBusy(false);
    }
  };
  const edited = text.trim() !== item.translation;
  return html`<tr data-testid="machine-answer" data-question=${item.questionId} data-language=${item.language}>
    <td><b>${item.question}</b><div class="hint">${item.questionId}</div></td>
    <td><span class="chip lang">${item.sourceLanguage} → ${item.language}</span><div class="hint">${item.provider}</div></td>
    <td class="source">${item.source}</td>
    <td class="mt-text"><textarea aria-label=${`Translation ${item.questionId} ${item.language}`} value=${text} onInput=${(e) => setText(e.target.value)}></textarea>
      ${item.reviewedBy && html`<div class="hint">approved by ${item.reviewedBy}</div>`}
      ${error && html`<div class="error">${error}</div>`}</td>
    <td><div class="mt-actions">
      <button class="primary" disabled=${busy || edited || !!item.reviewedBy} onClick=${() => run(() => api(path + '/approve', { method: 'POST', body: {} }))}>Approve</button>
      <button disabled=${busy || !edited || !text.trim()} onClick=${() => run(() => api(path, { method: 'PUT', body: { text } }))}>Save edit</button>
    </div></td>
  </tr>`;
}

function Glossary({ shop, me }) {
  const [g, setG] = useState(null);
  const [text, setText] = useState('');
  const [note, setNote] = useState(null);
  const load = () =>
    api(`/shops/${enc(shop)}/glossary`)
      .then((r) => (setG(r), setText(r.terms.join('\n'))))
      .catch((e) => setNote(e.message));
  useEffect(() => {
    load();
  }, [shop]);
  const save = async () => {
    try {
      const terms = text.split('\n').map((t) => t.trim()).filter(Boolean);
      await api(`/shops/${enc(shop)}/glossary`, { method: 'PUT', body: { terms } });
      setNote('Saved: used by the next translations.');
      load();
    } catch (e) {
      setNote(e.message);
    }
  };
  if (!g) return null;
  return html`<section class="card glossary">
    <h3>Glossary: never translated</h3>
    <p class="hint">Brand names and sizes, one per line. The FAQ's SKUs are kept automatically${g.skus.length ? `: ${g.skus.join(', ')}` : ''}.</p>
    <textarea aria-label="Glossary terms" value=${text} disabled=${me.role !== 'admin'} onInput=${(e) => setText(e.target.value)}></textarea>
    ${me.role === 'admin' && html`<button onClick=${save}>Save glossary</button>`} ${note && html`<span class="hint">${note}</span>`}
  </section>`;
}

/** The agent's reading language (buyer messages are translated into it; empty: the shop's default). */
function ReadLanguage({ shop }) {
  const [v, setV] = useState(null);
  const [note, setNote] = useState(null);
  useEffect(() => {
    api(`/translation?shop=${enc(shop)}`)
      .then((r) => setV(r.readLanguageSetting || ''))
      .catch(() => setV(null));
  }, [shop]);
  if (v === null) return null;
  const save = async (value) => {
    setV(value);
    try {
      await api('/translation/me', { method: 'PUT', body: { readLanguage: value || null } });
      setNote('saved');
    } catch (e) {
      setNote(e.message);
    }
  };
  return html`<label class="picker" title="Buyer messages are translated into this language for you">I read
    <select aria-label="My reading language" value=${v} onChange=${(e) => save(e.target.value)}>
      <option value="">the shop's default</option>
      ${['en', 'es', 'pt', 'fr', 'th', 'vi', 'id', 'ms', 'ar', 'zh'].map((l) => html`<option value=${l}>${l}</option>`)}
    </select>${note && html` <span class="hint">${note}</span>`}</label>`;
}

export function Translations({ me }) {
  const { shops, shop, setShop, error: shopError } = useShops();
  const [status, setStatus] = useState('unreviewed');
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const load = () =>
    shop &&
    api(`/shops/${enc(shop)}/machine-answers?status=${status}`)
      .then((r) => (setData(r), setError(null)))
      .catch((e) => setError(e.message));
  useEffect(() => {
    load();
  }, [shop, status]);
  return html`<div class="page insights">
    <header class="page-head">
      <div><h2>Translations</h2><p class="hint">FAQ answers the translation provider${data?.provider ? ` (${data.provider})` : ''} wrote in languages your FAQ lacks. Buyers get them until you edit them.</p></div>
      <div class="page-tools">
        <${ShopPicker} shops=${shops} shop=${shop} setShop=${setShop} />
        ${shop && data?.provider && html`<${ReadLanguage} shop=${shop} />`}
        <label class="picker">Show <select aria-label="Show" value=${status} onChange=${(e) => setStatus(e.target.value)}>
          <option value="unreviewed">To review</option><option value="all">All</option>
        </select></label>
      </div>
    </header>
    ${(error || shopError) && html`<p class="error" role="status">${error || shopError}</p>`}
    ${data && !data.provider && html`<p class="banner info">No translation provider is configured (SORA_TRANSLATOR=none): buyers get your own answer columns, else the shop's default language.</p>`}
    ${data &&
    (data.items.length
      ? html`<table class="table mt-table" data-testid="machine-answers">
          <thead><tr><th>FAQ entry</th><th>Language</th><th>Your answer</th><th>Machine translation</th><th></th></tr></thead>
          <tbody>${data.items.map((i) => html`<${Row} key=${i.questionId + i.language + i.translation} shop=${shop} item=${i} onDone=${load} />`)}</tbody>
        </table>`
      : html`<p class="empty">Nothing to review.</p>`)}
    ${shop && html`<${Glossary} shop=${shop} me=${me} />`}
  </div>`;
}
