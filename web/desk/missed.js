// Missed questions (issue 17): what the bot could not answer in the period — clusters of unmatched
// buyer questions (chart + list with examples and languages), FAQ answers sent with low confidence
// that led to a handoff or a repeat — and the FAQ drafts made from clusters, edited and published
// here (GET /desk/api/reports/missed-questions, /shops/:shop/faq-drafts; docs/insights.md).
import { useEffect, useState } from 'preact/hooks';
import { api, html, enc } from './api.js';
import { BarChart, CsvLink } from './chart.js';
import { DemoBanner, routeQuery } from './insights.js';

const dayOf = (d) => d.toISOString().slice(0, 10);
const daysAgo = (n) => dayOf(new Date(Date.now() - n * 86_400_000));
const langs = (l) => Object.entries(l).map(([k, n]) => html`<span class="chip" key=${k}>${k} ${n}</span> `);
const short = (s, n = 60) => (s.length > n ? s.slice(0, n - 1) + '…' : s);

function DraftEditor({ shop, draft, onChanged }) {
  const [form, setForm] = useState(() => ({ ...draft, variantsText: draft.variants.join('\n') }));
  const [status, setStatus] = useState(null);
  useEffect(() => setForm({ ...draft, variantsText: draft.variants.join('\n') }), [draft.id, draft.updatedAt]);
  const set = (k) => (e) => setForm({ ...form, [k]: e.target.value });
  const body = () => ({
    question: form.question,
    variants: form.variantsText
      .split('\n')
      .map((v) => v.trim())
      .filter(Boolean),
    answer: form.answer,
    intent: form.intent.trim(),
    language: form.language.trim(),
  });
  const save = async (e) => {
    e?.preventDefault();
    try {
      await api(`/shops/${enc(shop)}/faq-drafts/${enc(draft.id)}`, { method: 'PUT', body: body() });
      setStatus({ error: false, text: 'Saved.' });
      onChanged();
      return true;
    } catch (err) {
      setStatus({ error: true, text: err.message });
      return false;
    }
  };
  const publish = async () => {
    if (!(await save())) return;
    try {
      const r = await api(`/shops/${enc(shop)}/faq-drafts/${enc(draft.id)}/publish`, { method: 'POST' });
      setStatus({ error: false, text: `Published as ${r.questionId}: the bot answers it now (${r.resolvedQuestions} questions resolved).` });
      onChanged();
    } catch (err) {
      setStatus({ error: true, text: err.message });
    }
  };
  const published = draft.status === 'published';
  return html`<form class="canned-form faq-draft" onSubmit=${save}>
    <h3>${published ? 'Published' : 'Draft'}: ${short(draft.question)}</h3>
    ${draft.suggestion &&
    html`<p class="hint">Suggested intent <code>${draft.suggestion.intent}</code> (nearest entry: ${draft.suggestion.question || draft.suggestion.questionId}, confidence ${draft.suggestion.confidence}).</p>`}
    <label>Question<input value=${form.question} onInput=${set('question')} required maxlength="500" disabled=${published} /></label>
    <label>Variants (one per line)<textarea value=${form.variantsText} onInput=${set('variantsText')} disabled=${published}></textarea></label>
    <label>Answer<textarea value=${form.answer} onInput=${set('answer')} maxlength="4096" disabled=${published} placeholder="The answer buyers will get"></textarea></label>
    <div class="row">
      <label>Intent<input value=${form.intent} onInput=${set('intent')} maxlength="64" disabled=${published} /></label>
      <label>Language<input value=${form.language} onInput=${set('language')} maxlength="16" disabled=${published} /></label>
    </div>
    ${status && html`<p class=${status.error ? 'error' : 'ok'} role="status">${status.text}</p>`}
    ${!published &&
    html`<div>
      <button type="submit">Save</button>
      <button class="primary" type="button" onClick=${publish} disabled=${!form.answer.trim()}>Publish</button>
    </div>`}
  </form>`;
}

export function MissedQuestions({ me }) {
  const fixed = me.shopIds.filter((s) => s !== '*');
  // Deep links take the period and shop: #/missed?from=2026-11-01&to=2026-11-30&shop=demo.
  const q = routeQuery();
  const [shop, setShop] = useState(q.shop || fixed[0] || 'demo');
  const [from, setFrom] = useState(q.from && q.to ? q.from : daysAgo(29));
  const [to, setTo] = useState(q.from && q.to ? q.to : daysAgo(0));
  const [report, setReport] = useState(null);
  const [drafts, setDrafts] = useState([]);
  const [open, setOpen] = useState(null);
  const [status, setStatus] = useState(null);
  const query = `?shop=${enc(shop)}&from=${enc(from)}&to=${enc(to)}`;
  const load = () => {
    api('/reports/missed-questions' + query)
      .then((r) => {
        setReport(r);
        setStatus(null);
      })
      .catch((e) => {
        setReport(null);
        setStatus({ error: true, text: e.message });
      });
    api(`/shops/${enc(shop)}/faq-drafts`)
      .then((r) => setDrafts(r.drafts))
      .catch(() => setDrafts([]));
  };
  useEffect(() => {
    if (shop && from && to) load();
  }, [shop, from, to]);
  const makeDraft = async (c) => {
    try {
      const d = await api(`/reports/missed-questions/${enc(c.id)}/draft`, { method: 'POST', body: { shop, from, to } });
      setOpen(d.id);
      load();
    } catch (err) {
      setStatus({ error: true, text: err.message });
    }
  };
  const clusters = report?.clusters ?? [];
  const low = report?.lowConfidence;
  const current = drafts.find((d) => d.id === open);
  return html`<section class="page missed">
    <h2>Missed questions</h2>
    <p class="hint">Buyer questions the FAQ could not answer, grouped by meaning (top 50), and answers sent with low confidence that ended in a handoff or a repeated question. Turn a group into an FAQ entry: make a draft, write the answer, publish.</p>
    <div class="row missed-filters">
      <label class="inline">Shop
        ${me.shopIds.includes('*')
          ? html`<input value=${shop} onChange=${(e) => setShop(e.target.value.trim())} />`
          : html`<select value=${shop} onChange=${(e) => setShop(e.target.value)}>${fixed.map((s) => html`<option value=${s}>${s}</option>`)}</select>`}
      </label>
      <label class="inline">From<input type="date" value=${from} onChange=${(e) => setFrom(e.target.value)} /></label>
      <label class="inline">To<input type="date" value=${to} onChange=${(e) => setTo(e.target.value)} /></label>
      <${CsvLink} path=${'/reports/missed-questions' + query} />
    </div>
    <${DemoBanner} data=${report} />
    ${status && html`<p class=${status.error ? 'error' : 'ok'} role="status">${status.text}</p>`}
    ${report &&
    html`<h3>Unanswered questions (${report.questions})</h3>
      ${clusters.length
        ? html`<${BarChart} labels=${clusters.map((c) => short(c.representative, 40))} values=${clusters.map((c) => c.count)} label="Questions" />`
        : html`<p class="empty">No unanswered questions in this period.</p>`}
      <table class="table missed-clusters">
        <thead><tr><th>Count</th><th>Question and examples</th><th>Languages</th><th></th></tr></thead>
        <tbody>
          ${clusters.map(
            (c) => html`<tr key=${c.id}>
              <td>${c.count}</td>
              <td class="wrap"><strong>${c.representative}</strong>
                <ul class="examples">${c.examples.filter((e) => e !== c.representative).map((e) => html`<li>${e}</li>`)}</ul>
              </td>
              <td>${langs(c.languages)}</td>
              <td class="actions">
                ${c.draftId
                  ? html`<button class="ghost" onClick=${() => setOpen(c.draftId)}>Open draft</button>`
                  : html`<button onClick=${() => makeDraft(c)}>Make FAQ draft</button>`}
              </td>
            </tr>`,
          )}
        </tbody>
      </table>
      <h3>Low-confidence answers that did not help (${low.answers})</h3>
      <p class="hint">FAQ answers sent with a confidence below ${low.below}, followed by a handoff or by the buyer asking again.</p>
      <table class="table missed-low">
        <thead><tr><th>FAQ entry</th><th>Answers</th><th>Handoffs</th><th>Repeats</th><th>Mean confidence</th><th>Example</th></tr></thead>
        <tbody>
          ${low.groups.length === 0 && html`<tr><td colspan="6" class="empty">None in this period.</td></tr>`}
          ${low.groups.map(
            (g) => html`<tr key=${g.faqEntryId}>
              <td class="wrap"><code>${g.faqEntryId}</code> ${g.faqQuestion}</td>
              <td>${g.count}</td>
              <td>${g.handoffs}</td>
              <td>${g.repeats}</td>
              <td>${g.meanConfidence}</td>
              <td class="wrap">${g.examples[0] ? html`${g.examples[0].question}${g.examples[0].next ? html` → <em>${g.examples[0].next}</em>` : ''}` : ''}</td>
            </tr>`,
          )}
        </tbody>
      </table>`}
    <h3>FAQ drafts</h3>
    <table class="table missed-drafts">
      <thead><tr><th>Question</th><th>Intent</th><th>Status</th><th></th></tr></thead>
      <tbody>
        ${drafts.length === 0 && html`<tr><td colspan="4" class="empty">No drafts yet: use "Make FAQ draft" on a question above.</td></tr>`}
        ${drafts.map(
          (d) => html`<tr key=${d.id}>
            <td class="wrap">${d.question}</td>
            <td><code>${d.intent}</code></td>
            <td><span class="chip">${d.status}</span></td>
            <td class="actions"><button class="ghost" onClick=${() => setOpen(d.id)}>${d.status === 'draft' ? 'Edit' : 'View'}</button></td>
          </tr>`,
        )}
      </tbody>
    </table>
    ${current && html`<${DraftEditor} shop=${shop} draft=${current} onChanged=${load} />`}
  </section>`;
}
