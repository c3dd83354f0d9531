/**
 * Minimal hand-written SVG charts: grouped bars (linear or log scale) and lines. No chart library:
 * the report must render anywhere (GitHub, a browser, an editor preview) and stay small in git.
 */
import type { BarChart, Chart, LineChart } from '../scenarios/types.ts';

const W = 720;
const H = 360;
const M = { top: 40, right: 20, bottom: 70, left: 70 };
const COLORS = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1'];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function text(x: number, y: number, s: string, attrs = ''): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attrs}>${esc(s)}</text>`;
}

function short(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e3) return `${+(v / 1e3).toPrecision(3)}k`;
  return `${+v.toPrecision(3)}`;
}

interface Scale {
  y: (v: number) => number;
  ticks: number[];
}

function linearScale(max: number): Scale {
  const top = max > 0 ? niceCeil(max) : 1;
  const ticks = Array.from({ length: 6 }, (_, i) => (top * i) / 5);
  return { y: (v) => H - M.bottom - ((H - M.top - M.bottom) * Math.max(0, v)) / top, ticks };
}

function logScale(min: number, max: number): Scale {
  const lo = Math.floor(Math.log10(Math.max(min, 1e-3)));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(max, 1e-3))));
  const ticks = Array.from({ length: hi - lo + 1 }, (_, i) => 10 ** (lo + i));
  const span = H - M.top - M.bottom;
  return { y: (v) => H - M.bottom - (span * (Math.log10(Math.max(v, 10 ** lo)) - lo)) / (hi - lo), ticks };
}

function niceCeil(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 2.5, 5, 10].map((m) => m * p).find((c) => c >= v) ?? 10 * p;
}

function frame(title: string, scale: Scale, unit: string, body: string, legend: string[]): string {
  const axis = scale.ticks
    .map((t) => {
      const y = scale.y(t);
      return `<line x1="${M.left}" x2="${W - M.right}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="#ddd"/>` + text(M.left - 6, y + 4, short(t), 'text-anchor="end"');
    })
    .join('');
  const keys = legend
    .map((s, i) => `<rect x="${M.left + i * 110}" y="${H - 22}" width="10" height="10" fill="${COLORS[i % COLORS.length]}"/>` + text(M.left + i * 110 + 14, H - 13, s))
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="sans-serif" font-size="12">` +
    `<rect width="${W}" height="${H}" fill="white"/>${text(W / 2, 22, title, 'text-anchor="middle" font-size="14" font-weight="bold"')}` +
    `${text(14, M.top - 10, unit, 'fill="#555"')}${axis}<line x1="${M.left}" x2="${W - M.right}" y1="${H - M.bottom}" y2="${H - M.bottom}" stroke="#333"/>` +
    `${body}${keys}</svg>\n`
  );
}

export function barChartSvg(c: BarChart): string {
  const values = c.groups.flatMap((g) => g.values).filter((v) => Number.isFinite(v) && v > 0);
  const scale = c.log ? logScale(Math.min(...values, 1), Math.max(...values, 1)) : linearScale(Math.max(0, ...values));
  const slot = (W - M.left - M.right) / Math.max(1, c.groups.length);
  const bar = Math.min(40, (slot * 0.8) / Math.max(1, c.series.length));
  const body = c.groups
    .map((g, gi) => {
      const x0 = M.left + gi * slot + (slot - bar * c.series.length) / 2;
      const bars = g.values
        .map((v, si) => {
          if (!Number.isFinite(v)) return '';
          const y = scale.y(v);
          return `<rect x="${(x0 + si * bar).toFixed(1)}" y="${y.toFixed(1)}" width="${(bar - 2).toFixed(1)}" height="${(H - M.bottom - y).toFixed(1)}" fill="${COLORS[si % COLORS.length]}"><title>${esc(`${g.label} ${c.series[si]}: ${short(v)}`)}</title></rect>`;
        })
        .join('');
      return bars + text(M.left + gi * slot + slot / 2, H - M.bottom + 16, g.label, 'text-anchor="middle"');
    })
    .join('');
  return frame(c.title, scale, c.unit, body, c.series.length > 1 ? c.series : []);
}

export function lineChartSvg(c: LineChart): string {
  const xs = c.series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = c.series.flatMap((s) => s.points.map((p) => p[1])).filter(Number.isFinite);
  const scale = linearScale(Math.max(0, ...ys));
  const xMax = niceCeil(Math.max(1, ...xs));
  const x = (v: number) => M.left + ((W - M.left - M.right) * v) / xMax;
  const xTicks = Array.from({ length: 6 }, (_, i) => (xMax * i) / 5)
    .map((t) => text(x(t), H - M.bottom + 16, short(t), 'text-anchor="middle"'))
    .join('');
  const lines = c.series
    .map((s, i) => {
      const color = COLORS[i % COLORS.length];
      const pts = s.points.filter((p) => Number.isFinite(p[1]));
      const path = pts.map((p) => `${x(p[0]).toFixed(1)},${scale.y(p[1]).toFixed(1)}`).join(' ');
      const dots = pts.map((p) => `<circle cx="${x(p[0]).toFixed(1)}" cy="${scale.y(p[1]).toFixed(1)}" r="3" fill="${color}"/>`).join('');
      return `<polyline points="${path}" fill="none" stroke="${color}" stroke-width="2"/>${dots}`;
    })
    .join('');
  const xLabel = text(W / 2, H - M.bottom + 34, c.xLabel, 'text-anchor="middle" fill="#555"');
  return frame(c.title, scale, c.yLabel, xTicks + xLabel + lines, c.series.map((s) => s.label));
}

export function chartSvg(c: Chart): string {
  return c.kind === 'bars' ? barChartSvg(c) : lineChartSvg(c);
}
