// The colours of every Baton email, light and dark, in one place so a test can hold each text/
// background pair to WCAG contrast (4.5:1 for body text) and templates cannot drift apart.

export const light = {
  page: '#eef1f5',
  card: '#ffffff',
  text: '#1f2933',
  muted: '#52606d',
  link: '#1d4ed8',
  accent: '#1d4ed8',
  onAccent: '#ffffff',
  soft: '#eef3ff',
  onSoft: '#1e3a8a',
  border: '#d9e2ec',
  codeBg: '#f3f5f7',
  codeText: '#1f2933',
  quoteBar: '#9fb3c8',
} as const;

export const dark = {
  page: '#0f1216',
  card: '#1a1f26',
  text: '#e6e9ed',
  muted: '#aab4bf',
  link: '#8ab4ff',
  accent: '#8ab4ff',
  onAccent: '#0f1216',
  soft: '#22304a',
  onSoft: '#dbe6ff',
  border: '#334155',
  codeBg: '#11161c',
  codeText: '#e6e9ed',
  quoteBar: '#52606d',
} as const;

export type Palette = { readonly [K in keyof typeof light]: string };

/** Text/background pairs that appear in the emails: each must reach 4.5:1. */
export function textPairs(p: Palette): Array<{ name: string; fg: string; bg: string }> {
  return [
    { name: 'body text on card', fg: p.text, bg: p.card },
    { name: 'muted text on card', fg: p.muted, bg: p.card },
    { name: 'muted text on page', fg: p.muted, bg: p.page },
    { name: 'link on card', fg: p.link, bg: p.card },
    { name: 'button label on accent', fg: p.onAccent, bg: p.accent },
    { name: 'text on soft panel', fg: p.onSoft, bg: p.soft },
    { name: 'link on soft panel', fg: p.link, bg: p.soft },
    { name: 'code on code background', fg: p.codeText, bg: p.codeBg },
  ];
}

function channel(c: number): number {
  const s = c / 255;
  return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
}

function luminance(hex: string): number {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new Error(`"${hex}" is not a #rrggbb colour`);
  const [r, g, b] = [m[1], m[2], m[3]].map((h) => channel(parseInt(h as string, 16))) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG 2 contrast ratio between two #rrggbb colours (1 to 21). */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

export const FONT_STACK = "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";
export const MONO_STACK = "ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace";
/** Content width inside the 600px card: 600 minus 2 × 24px padding. */
export const CONTENT_WIDTH = 552;
