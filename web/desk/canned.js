// Canned responses of a shop (admins): the list per language, add, edit, delete. Placeholders
// {order_number} {tracking_link} {buyer_name} {agent_name} are filled when an agent picks one.
import { useEffect, useState } from 'preact/hooks';
import { api, html, enc } from './api.js';

const EMPTY = { id: null, language: 'en', title: '', text: '' };

export function CannedResponses({ me }) {
  const fixed = me.shopIds.filter((s) => s !== '*');
  const [shop, setShop] = useState(fixed[0] || 'demo');
  const [rows, setRows] = useState([]);
  const [placeholders, setPlaceholders] = useState([]);
  const [form, setForm] = useState(EMPTY);
  const [status, setStatus] = useState(null);
  const load = () =>
    api(`/shops/${enc(shop)}/canned`)
      .then((r) => {
        setRows(r.canned);
        setPlaceholders(r.placeholders);
        setStatus(null);
      })
      .catch((e) => {
        setRows([]);
        setStatus({ error: true, text: e.message });
      });
  useEffect(() => {
    if (shop) load();
  }, [shop]);
  const save = async (e) => {
    e.preventDefault();
    const body = { language: form.language.trim(), title: form.title, text: form.text };
    try {
      if (form.id) await api(`/shops/${enc(shop)}/canned/${enc(form.id)}`, { method: 'PUT', body });
      else await api(`/shops/${enc(shop)}/canned`, { method: 'POST', body });
      setForm(EMPTY);
      await load();
      setStatus({ error: false, text: 'Saved.' });
    } catch (err) {
      setStatus({ error: true, text: err.message });
    }
  };
  const remove = async (c) => {
    if (!confirm(`Delete "${c.title}" (${c.language})?`)) return;
    try {
      await api(`/shops/${enc(shop)}/canned/${enc(c.id)}`, { method: 'DELETE' });
      load();
    } catch (err) {
      setStatus({ error: true, text: err.message });
    }
  };
  const set = (k) => (e) => setForm({ ...form, [k]: e.target.value });
  return html`<section class="page">
    <h2>Canned responses</h2>
    <p class="hint">
      Ready answers per language. Placeholders: ${placeholders.map((p) => html`<code>{${p}}</code> `)} — filled from the buyer sidebar when an
      agent picks one.
    </p>
    <label class="inline">Shop
      ${me.shopIds.includes('*')
        ? html`<input value=${shop} onChange=${(e) => setShop(e.target.value.trim())} />`
        : html`<select value=${shop} onChange=${(e) => setShop(e.target.value)}>${fixed.map((s) => html`<option value=${s}>${s}</option>`)}</select>`}
    </label>
    <table class="table">
      <thead><tr><th>Language</th><th>Title</th><th>Text</th><th></th></tr></thead>
      <tbody>
        ${rows.length === 0 && html`<tr><td colspan="4" class="empty">None yet.</td></tr>`}
        ${rows.map(
          (c) => html`<tr key=${c.id}>
            <td><span class="chip">${c.language}</span></td>
            <td>${c.title}</td>
            <td class="wrap">${c.text}</td>
            <td class="actions">
              <button class="ghost" onClick=${() => setForm(c)}>Edit</button>
              <button class="ghost" onClick=${() => remove(c)}>Delete</button>
            </td>
          </tr>`,
        )}
      </tbody>
    </table>
    <form class="canned-form" onSubmit=${save}>
      <h3>${form.id ? 'Edit' : 'Add'} a canned response</h3>
      <div class="row">
        <label>Language<input value=${form.language} onInput=${set('language')} required maxlength="16" /></label>
        <label class="grow">Title<input value=${form.title} onInput=${set('title')} required maxlength="120" /></label>
      </div>
      <label>Text<textarea value=${form.text} onInput=${set('text')} required maxlength="4000"></textarea></label>
      ${status && html`<p class=${status.error ? 'error' : 'ok'} role="status">${status.text}</p>`}
      <div>
        <button class="primary" type="submit">${form.id ? 'Save' : 'Add'}</button>
        ${form.id && html` <button type="button" onClick=${() => setForm(EMPTY)}>Cancel</button>`}
      </div>
    </form>
  </section>`;
}
