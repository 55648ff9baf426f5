// Pieces shared by the insights pages (reports, root causes, usage, health): the shop and period
// pickers, KPI tiles with their one-line definitions, the "Demo data" banner, number formats, and
// a loader that keeps the last answer while the next one is read.
import { useEffect, useState } from 'preact/hooks';
import { api, html } from './api.js';

/** YYYY-MM-DD of a Date in the browser's zone. */
export const isoDay = (d) => d.toLocaleDateString('en-CA');
export const daysAgo = (n) => isoDay(new Date(Date.now() - n * 86400_000));
export const PRESETS = [7, 30, 90];

/** Query parameters of the route (#/reports?from=…&to=…&shop=…). */
export const routeQuery = () => Object.fromEntries(new URLSearchParams(location.hash.split('?')[1] || ''));

/** The shops the agent sees (GET /shops) and the one picked (the route's ?shop=, else the first). */
export function useShops() {
  const [shops, setShops] = useState(null);
  const [shop, setShop] = useState(routeQuery().shop || null);
  const [error, setError] = useState(null);
  useEffect(() => {
    api('/shops')
      .then((r) => {
        setShops(r.shops);
        if (!shop || !r.shops.some((s) => s.shopId === shop)) setShop(r.shops[0]?.shopId ?? null);
      })
      .catch((e) => setError(e.message));
  }, []);
  return { shops: shops || [], shop, setShop, error, ready: shops !== null };
}

export function ShopPicker({ shops, shop, setShop }) {
  if (shops.length < 2) return null;
  return html`<label class="picker">Shop
    <select aria-label="Shop" value=${shop || ''} onChange=${(e) => setShop(e.target.value)}>
      ${shops.map((s) => html`<option value=${s.shopId}>${s.name ? `${s.name} (${s.shopId})` : s.shopId}</option>`)}
    </select>
  </label>`;
}

/** A period: the last 7/30/90 days, or from–to. */
export function usePeriod(defaultDays = 30) {
  const q = routeQuery();
  const [period, setPeriod] = useState(
    q.from && q.to ? { from: q.from, to: q.to, preset: null } : { from: daysAgo(defaultDays - 1), to: daysAgo(0), preset: defaultDays },
  );
  return [period, setPeriod];
}

export function PeriodPicker({ period, setPeriod }) {
  const preset = (n) => setPeriod({ from: daysAgo(n - 1), to: daysAgo(0), preset: n });
  return html`<div class="period" role="group" aria-label="Period">
    ${PRESETS.map(
      (n) => html`<button type="button" class=${'seg' + (period.preset === n ? ' active' : '')} onClick=${() => preset(n)}>Last ${n} days</button>`,
    )}
    <label>From <input type="date" aria-label="From" value=${period.from} max=${period.to} onChange=${(e) => e.target.value && setPeriod({ ...period, from: e.target.value, preset: null })} /></label>
    <label>to <input type="date" aria-label="To" value=${period.to} min=${period.from} onChange=${(e) => e.target.value && setPeriod({ ...period, to: e.target.value, preset: null })} /></label>
  </div>`;
}

/** Loads `path` (null: nothing to load) and re-reads it when it changes or every `everyMs`. */
export function useReport(path, everyMs = 0) {
  const [state, setState] = useState({ data: null, error: null, loading: false });
  useEffect(() => {
    if (!path) return undefined;
    let live = true;
    const read = () => {
      setState((s) => ({ ...s, loading: true }));
      api(path)
        .then((data) => live && setState({ data, error: null, loading: false }))
        .catch((e) => live && setState((s) => ({ data: s.data, error: e.message, loading: false })));
    };
    read();
    const t = everyMs ? setInterval(read, everyMs) : null;
    return () => {
      live = false;
      if (t) clearInterval(t);
    };
  }, [path, everyMs]);
  return state;
}

/** A headline figure with its definition: the full one as the tooltip, `caption` (a short form) or it under the figure. */
export function Tile({ label, value, sub, def, caption, tone, testid }) {
  return html`<div class=${'tile' + (tone ? ' ' + tone : '')} title=${def || ''} data-testid=${testid}>
    <div class="tile-label">${label}</div>
    <div class="tile-value">${value}</div>
    ${sub && html`<div class="tile-sub">${sub}</div>`}
    ${(caption || def) && html`<div class="tile-def">${caption || def}</div>`}
  </div>`;
}

export function DemoBanner({ data }) {
  if (!data || data.demo !== true) return null;
  return html`<p class="demo-banner" role="note"><b>Demo data</b> These figures come from the synthetic demo month seeded by <code>npm start</code>, not from real buyers.</p>`;
}

export function Card({ title, children, actions, wide }) {
  return html`<section class=${'card' + (wide ? ' wide' : '')}>
    <header class="card-head"><h3>${title}</h3>${actions}</header>
    ${children}
  </section>`;
}

const nf = new Intl.NumberFormat('en');
export const num = (v) => (v === null || v === undefined ? '—' : nf.format(v));
/** A 0–1 ratio as a percentage with one decimal. */
export const pct = (v) => (v === null || v === undefined ? '—' : `${Math.round(v * 1000) / 10}%`);
export const seconds = (v) => {
  if (v === null || v === undefined) return '—';
  if (v < 90) return `${Math.round(v * 10) / 10} s`;
  if (v < 5400) return `${Math.round(v / 6) / 10} min`;
  return `${Math.round(v / 360) / 10} h`;
};
export const label = (s) => String(s).replace(/_/g, ' ');
