// The merchant's colours for the fields, kept unless the primary colour (links, the 3-D Secure button,
// the focus ring) would be hard to read on a light background: it is then darkened just enough for
// 4.5:1 (WCAG 1.4.3 for text; the ring needs 3:1, WCAG 1.4.11). Darker also keeps the white text of
// the fields' own Pay button readable on it. On a dark background the colour is left alone: lighter
// would read better as a link but worse under that white text. Only #rgb and #rrggbb colours are
// measured: a name or an rgb() passes as given.
import type { Appearance } from '../protocol/messages.ts';

const MIN_CONTRAST = 4.5;
const STEPS = 20;

function channels(color: string): number[] | undefined {
  const m = /^#([\da-f]{3}|[\da-f]{6})$/i.exec(color);
  if (!m) return undefined;
  const digits = m[1].length === 3 ? m[1].replace(/./g, '$&$&') : m[1];
  return [0, 2, 4].map((i) => parseInt(digits.slice(i, i + 2), 16));
}

/** WCAG's relative luminance of an sRGB colour. */
function luminance(rgb: number[]): number {
  const [r, g, b] = rgb.map((v) => (v / 255 <= 0.03928 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG's contrast ratio, from 1 to 21. */
export function contrastRatio(a: number[], b: number[]): number {
  const x = luminance(a) + 0.05;
  const y = luminance(b) + 0.05;
  return x > y ? x / y : y / x;
}

/** `color`, or on a light `background` the nearest shade of it towards black that reads at 4.5:1 there. */
export function readableOn(color: string, background = '#fff'): string {
  const fg = channels(color);
  const bg = channels(background);
  if (!fg || !bg || luminance(bg) <= 0.18 || contrastRatio(fg, bg) >= MIN_CONTRAST) return color;
  for (let step = 1; step <= STEPS; step++) {
    const shade = fg.map((v) => Math.round(v - (v * step) / STEPS));
    if (contrastRatio(shade, bg) >= MIN_CONTRAST) return `#${shade.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
  }
  return '#000000';
}

/** The appearance the fields get: the merchant's, with a primary colour that reads on its background. */
export function readableAppearance(appearance: Appearance | null | undefined): Appearance {
  // Whatever the page passed (null included): the fields check each value again.
  if (!appearance || typeof appearance !== 'object') return {};
  const variables = appearance.variables;
  if (!variables || typeof variables !== 'object' || typeof variables.colorPrimary !== 'string') return appearance;
  return { ...appearance, variables: { ...variables, colorPrimary: readableOn(variables.colorPrimary, variables.colorBackground) } };
}
