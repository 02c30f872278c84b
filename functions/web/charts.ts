// The studio's charts, drawn on the server as inline SVG: no script and no chart library in the
// page, so the strict CSP (no script at all) holds, nothing is downloaded, and a chart costs
// microseconds to render for any series size (it draws aggregates, never rows). Each chart is an
// <svg role="img"> with a <title> and <desc> naming its numbers, and the page shows the same numbers
// as a table beside it, for screen readers and for copying.
import { escapeHtml } from '#mail/escape';

export interface Bar {
  label: string;
  value: number;
  /** The figure written at the bar's end (e.g. "41 · 82%"). */
  figure: string;
}

export const CHART_COLOURS = { bar: '#1d4ed8', second: '#0f766e', text: '#1f2933', grid: '#d9e2ec' } as const;

let chartIds = 0;
const nextId = () => `chart${++chartIds}`;

/** Horizontal bars, one per row: scales to the container's width (viewBox), labels inside. */
export function horizontalBars(title: string, bars: readonly Bar[], opts: { max?: number; colour?: string } = {}): string {
  const id = nextId();
  const rowH = 28;
  const labelW = 150;
  const width = 600;
  const barW = width - labelW - 90;
  const max = Math.max(opts.max ?? 0, ...bars.map((b) => b.value), 1);
  const height = bars.length * rowH + 8;
  const rows = bars
    .map((b, i) => {
      const y = 4 + i * rowH;
      const w = Math.round((b.value / max) * barW);
      return (
        `<text x="${labelW - 8}" y="${y + 18}" text-anchor="end" fill="${CHART_COLOURS.text}" font-size="13">${escapeHtml(b.label)}</text>` +
        `<rect x="${labelW}" y="${y + 4}" width="${barW}" height="${rowH - 10}" fill="${CHART_COLOURS.grid}"/>` +
        `<rect x="${labelW}" y="${y + 4}" width="${w}" height="${rowH - 10}" fill="${opts.colour ?? CHART_COLOURS.bar}"/>` +
        `<text x="${labelW + barW + 6}" y="${y + 18}" fill="${CHART_COLOURS.text}" font-size="13">${escapeHtml(b.figure)}</text>`
      );
    })
    .join('');
  const desc = bars.map((b) => `${b.label}: ${b.figure}`).join('; ');
  return (
    `<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${id}t ${id}d" preserveAspectRatio="xMinYMin meet">` +
    `<title id="${id}t">${escapeHtml(title)}</title><desc id="${id}d">${escapeHtml(desc)}</desc>${rows}</svg>`
  );
}

export interface Column {
  label: string;
  values: [number, number];
}

/** Vertical paired columns (e.g. engaged and contributed per week), with a legend. */
export function pairedColumns(title: string, series: [string, string], columns: readonly Column[]): string {
  const id = nextId();
  const width = 600;
  const height = 200;
  const top = 24;
  const bottom = 28;
  const plotH = height - top - bottom;
  const max = Math.max(1, ...columns.flatMap((c) => c.values));
  const slot = columns.length ? (width - 20) / columns.length : width;
  const colW = Math.max(2, Math.min(24, slot / 2 - 2));
  const label = (c: Column, i: number) => (columns.length <= 12 || i % Math.ceil(columns.length / 12) === 0 ? `<text x="${10 + i * slot + slot / 2}" y="${height - 10}" text-anchor="middle" fill="${CHART_COLOURS.text}" font-size="11">${escapeHtml(c.label)}</text>` : '');
  const bars = columns
    .map((c, i) => {
      const x = 10 + i * slot + slot / 2 - colW;
      const [a, b] = c.values.map((v) => Math.round((v / max) * plotH)) as [number, number];
      return (
        `<rect x="${x}" y="${top + plotH - a}" width="${colW}" height="${a}" fill="${CHART_COLOURS.bar}"/>` +
        `<rect x="${x + colW}" y="${top + plotH - b}" width="${colW}" height="${b}" fill="${CHART_COLOURS.second}"/>` +
        label(c, i)
      );
    })
    .join('');
  const legend =
    `<rect x="10" y="4" width="12" height="12" fill="${CHART_COLOURS.bar}"/><text x="28" y="15" font-size="12" fill="${CHART_COLOURS.text}">${escapeHtml(series[0])}</text>` +
    `<rect x="160" y="4" width="12" height="12" fill="${CHART_COLOURS.second}"/><text x="178" y="15" font-size="12" fill="${CHART_COLOURS.text}">${escapeHtml(series[1])}</text>` +
    `<text x="${width - 4}" y="15" text-anchor="end" font-size="11" fill="${CHART_COLOURS.text}">max ${max}</text>`;
  const desc = columns.map((c) => `${c.label}: ${series[0]} ${c.values[0]}, ${series[1]} ${c.values[1]}`).join('; ');
  return (
    `<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${id}t ${id}d" preserveAspectRatio="xMinYMin meet">` +
    `<title id="${id}t">${escapeHtml(title)}</title><desc id="${id}d">${escapeHtml(desc || 'No answers yet.')}</desc>` +
    `<line x1="10" y1="${top + plotH}" x2="${width - 10}" y2="${top + plotH}" stroke="${CHART_COLOURS.grid}"/>${legend}${bars}</svg>`
  );
}
