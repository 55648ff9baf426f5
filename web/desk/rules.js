// Routing rules of a shop (admins): the JSON of GET/PUT /desk/api/shops/:shopId/routing, edited as
// text; the server's message is shown as is when it refuses a change.
import { useEffect, useState } from 'preact/hooks';
import { api, html, enc } from './api.js';

export function RoutingRules({ me }) {
  const fixed = me.shopIds.filter((s) => s !== '*');
  const [shop, setShop] = useState(fixed[0] || 'demo');
  const [text, setText] = useState('');
  const [status, setStatus] = useState(null);
  const load = () =>
    api(`/shops/${enc(shop)}/routing`)
      .then((r) => {
        setText(JSON.stringify(r, null, 2));
        setStatus(null);
      })
      .catch((e) => {
        setText('');
        setStatus({ error: true, text: e.message });
      });
  useEffect(() => {
    if (shop) load();
  }, [shop]);
  const save = async (e) => {
    e.preventDefault();
    let body;
    try {
      body = JSON.parse(text);
    } catch (err) {
      setStatus({ error: true, text: 'Not valid JSON: ' + err.message });
      return;
    }
    try {
      const r = await api(`/shops/${enc(shop)}/routing`, { method: 'PUT', body });
      setText(JSON.stringify(r, null, 2));
      setStatus({ error: false, text: 'Saved.' });
    } catch (err) {
      setStatus({ error: true, text: err.message });
    }
  };
  return html`<section class="page">
    <h2>Routing rules</h2>
    <p class="hint">Which queue a handoff goes to (language, country, order value, channel, business hours). Edit the JSON and save; the server checks it.</p>
    <form onSubmit=${save} class="rules-form">
      <label>Shop
        ${me.shopIds.includes('*')
          ? html`<input value=${shop} onChange=${(e) => setShop(e.target.value.trim())} />`
          : html`<select value=${shop} onChange=${(e) => setShop(e.target.value)}>${fixed.map((s) => html`<option value=${s}>${s}</option>`)}</select>`}
      </label>
      <textarea class="code" spellcheck="false" aria-label="Routing rules JSON" value=${text} onInput=${(e) => setText(e.target.value)}></textarea>
      ${status && html`<p class=${status.error ? 'error' : 'ok'} role="status">${status.text}</p>`}
      <div><button class="primary" type="submit">Save</button> <button type="button" onClick=${load}>Reload</button></div>
    </form>
  </section>`;
}
