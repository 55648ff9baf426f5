// Charts of the insights pages, drawn by uPlot (a small canvas charting library served from
// /desk/vendor/uplot.mjs). Two shapes cover the reports:
//   <${LineChart} days=${['2026-11-01', …]} series=${[{ label, values, color? }]} />  a daily trend
//   <${BarChart} labels=${['logistics.customs_delay', …]} values=${[12, …]} label="Conversations" />
// BarChart is horizontal (one row per label, longest first as given), so long labels stay readable.
// Every chart has a text alternative (aria-label) and redraws at its container's width.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { html } from './api.js';

const PALETTE = ['#2563eb', '#16a34a', '#dc2626', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];
const DAY_INCRS = [1, 2, 7, 14, 28, 56, 91].map((d) => d * 86400);
const COUNT_INCRS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1e3, 2e3, 2.5e3, 5e3, 1e4, 2e4, 2.5e4, 5e4, 1e5, 2e5, 5e5, 1e6, 2e6, 5e6, 1e7];
export const colorAt = (i) => PALETTE[i % PALETTE.length];

/** Mounts a uPlot built by make(width) in the returned ref'd element; rebuilt when deps or the width change. */
function useUplot(make, deps) {
  const ref = useRef(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return undefined;
    let plot = null;
    let width = 0;
    const draw = () => {
      const w = Math.max(240, Math.floor(el.clientWidth));
      if (w === width && plot) return;
      width = w;
      plot?.destroy();
      el.textContent = '';
      plot = make(w, el);
    };
    draw();
    const ro = typeof ResizeObserver === 'function' ? new ResizeObserver(draw) : null;
    ro?.observe(el);
    return () => {
      ro?.disconnect();
      plot?.destroy();
    };
  }, deps);
  return ref;
}

const dayToSeconds = (d) => Date.parse(`${d}T00:00:00Z`) / 1000;

export function LineChart({ days, series, height = 220, yLabel = '', percent = false }) {
  const ref = useUplot(
    (width, el) =>
      new uPlot(
        {
          width,
          height,
          tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
          scales: { x: { time: true }, y: percent ? { range: [0, 100] } : { range: (_u, min, max) => [Math.min(0, min), Math.max(1, max)] } },
          // Whole days on the x axis (MM-DD), never hours.
          axes: [
            { space: 56, incrs: DAY_INCRS, values: (_u, ticks) => ticks.map((t) => new Date(t * 1000).toISOString().slice(5, 10)) },
            { label: yLabel, values: (_u, ticks) => ticks.map((t) => (percent ? `${t}%` : String(t))) },
          ],
          legend: { live: false },
          series: [
            {},
            ...series.map((s, i) => ({
              label: s.label,
              stroke: s.color || colorAt(i),
              width: 2,
              points: { show: days.length <= 40 },
              spanGaps: true,
            })),
          ],
        },
        [days.map(dayToSeconds), ...series.map((s) => s.values.map((v) => (v === null || v === undefined ? null : v)))],
        el,
      ),
    [JSON.stringify(days), JSON.stringify(series), height],
  );
  const summary = series.map((s) => `${s.label}: ${s.values.filter((v) => v !== null && v !== undefined).join(', ')}`).join('; ');
  return html`<div class="chart" ref=${ref} role="img" aria-label=${`${yLabel || 'Trend'} by day. ${summary}`}></div>`;
}

export function BarChart({ labels, values, label = 'Count', color, rowHeight = 22, max = 25 }) {
  const shown = labels.slice(0, max);
  const vals = values.slice(0, max);
  const height = Math.max(120, shown.length * rowHeight + 50);
  const ref = useUplot(
    (width, el) =>
      new uPlot(
        {
          width,
          height,
          legend: { show: false },
          cursor: { show: false },
          // x (the categories) runs top to bottom, y (the counts) left to right: horizontal bars.
          // dir -1: the first label on top.
          scales: { x: { time: false, ori: 1, dir: -1, range: [-0.5, shown.length - 0.5] }, y: { ori: 0, range: (_u, _min, mx) => [0, Math.max(1, mx) * 1.1] } },
          axes: [
            { side: 3, size: Math.min(280, Math.max(40, ...shown.map((l) => String(l).length * 7.5 + 22))), splits: () => shown.map((_, i) => i), values: () => shown, grid: { show: false } },
            // Counts: whole-number ticks only.
            { side: 0, incrs: COUNT_INCRS, values: (_u, ticks) => ticks.map((t) => (Number.isInteger(t) ? t.toLocaleString('en') : '')) },
          ],
          series: [
            {},
            {
              label,
              fill: color || colorAt(0),
              stroke: color || colorAt(0),
              paths: uPlot.paths.bars({ size: [0.7, 40] }),
              points: { show: false },
            },
          ],
        },
        [shown.map((_, i) => i), vals],
        el,
      ),
    [JSON.stringify(shown), JSON.stringify(vals), label, color],
  );
  const summary = shown.map((l, i) => `${l}: ${vals[i]}`).join(', ');
  return html`<div class="chart" ref=${ref} role="img" aria-label=${`${label}. ${summary}`}></div>`;
}

/** A CSV download link for a report endpoint that answers `?format=csv` (the session cookie goes along). */
export function CsvLink({ path, label = 'Export CSV' }) {
  const href = '/desk/api' + path + (path.includes('?') ? '&' : '?') + 'format=csv';
  return html`<a class="button csv" href=${href} download>${label}</a>`;
}
