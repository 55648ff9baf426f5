/**
 * The latency-vs-concurrency chart of BENCHMARKS.md: an SVG built here (p50 solid, p95 dashed, one
 * colour per labelled run, log-scale milliseconds), rendered to PNG with resvg and the bundled
 * DejaVu Sans (no system fonts, no network).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../infra/config/index.js';

export interface ChartSeries {
  label: string;
  points: { concurrency: number; p50: number; p95: number }[];
}

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];
const W = 800;
const H = 420;
const M = { left: 70, right: 230, top: 40, bottom: 50 };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function fmtMs(ms: number): string {
  return ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`;
}

export function latencyChartSvg(series: ChartSeries[], title = 'Reply latency vs concurrent buyers'): string {
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p.concurrency)))].sort((a, b) => a - b);
  const values = series.flatMap((s) => s.points.flatMap((p) => [p.p50, p.p95])).filter((v) => Number.isFinite(v) && v > 0);
  const lo = Math.pow(10, Math.floor(Math.log10(Math.min(...values, 100))));
  const hi = Math.pow(10, Math.ceil(Math.log10(Math.max(...values, 1000))));
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const x = (c: number) => M.left + (xs.length === 1 ? pw / 2 : (xs.indexOf(c) / (xs.length - 1)) * pw);
  const y = (v: number) => M.top + ph - ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * ph;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${W / 2 - M.right / 2 + M.left / 2}" y="22" text-anchor="middle" font-size="15">${esc(title)}</text>`,
  ];
  for (let d = lo; d <= hi; d *= 10) {
    for (const m of [1, 3]) {
      const v = d * m;
      if (v > hi) continue;
      parts.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#dddddd"/>`);
      parts.push(`<text x="${M.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${fmtMs(v)}</text>`);
    }
  }
  for (const c of xs) {
    parts.push(`<line x1="${x(c).toFixed(1)}" x2="${x(c).toFixed(1)}" y1="${M.top}" y2="${M.top + ph}" stroke="#eeeeee"/>`);
    parts.push(`<text x="${x(c).toFixed(1)}" y="${M.top + ph + 18}" text-anchor="middle">${c}</text>`);
  }
  parts.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#888888"/>`);
  parts.push(`<text x="${M.left + pw / 2}" y="${H - 10}" text-anchor="middle">concurrent buyers</text>`);
  parts.push(`<text transform="translate(16 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">POST → reply (log scale)</text>`);
  series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length]!;
    const pts = [...s.points].filter((p) => Number.isFinite(p.p50)).sort((a, b) => a.concurrency - b.concurrency);
    for (const [key, dash] of [
      ['p50', ''],
      ['p95', ' stroke-dasharray="6 4"'],
    ] as const) {
      const line = pts.map((p) => `${x(p.concurrency).toFixed(1)},${y(p[key]).toFixed(1)}`).join(' ');
      if (pts.length > 1) parts.push(`<polyline points="${line}" fill="none" stroke="${colour}" stroke-width="2"${dash}/>`);
      for (const p of pts) parts.push(`<circle cx="${x(p.concurrency).toFixed(1)}" cy="${y(p[key]).toFixed(1)}" r="3" fill="${colour}"/>`);
    }
    const ly = M.top + 10 + i * 40;
    const lx = M.left + pw + 14;
    parts.push(`<line x1="${lx}" x2="${lx + 24}" y1="${ly}" y2="${ly}" stroke="${colour}" stroke-width="2"/>`);
    const name = s.label.length > 20 ? `${s.label.slice(0, 19)}…` : s.label;
    parts.push(`<text x="${lx + 30}" y="${ly + 4}">${esc(name)} p50</text>`);
    parts.push(
      `<line x1="${lx}" x2="${lx + 24}" y1="${ly + 16}" y2="${ly + 16}" stroke="${colour}" stroke-width="2" stroke-dasharray="6 4"/>`,
    );
    parts.push(`<text x="${lx + 30}" y="${ly + 20}">${esc(name)} p95</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

export const CHART_FONT = path.join(projectRoot, 'node_modules', 'dejavu-fonts-ttf', 'ttf', 'DejaVuSans.ttf');

export async function renderPng(svg: string): Promise<Buffer> {
  const { Resvg } = await import('@resvg/resvg-js');
  readFileSync(CHART_FONT); // fail early and clearly when the font package is missing
  const r = new Resvg(svg, { font: { fontFiles: [CHART_FONT], loadSystemFonts: false, defaultFontFamily: 'DejaVu Sans' } });
  return Buffer.from(r.render().asPng());
}
