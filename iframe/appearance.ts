// Applies the merchant's appearance variables as CSS custom properties through the CSSOM (the
// page's CSP allows no inline style), keeping only values of a conservative shape: no value can
// carry a parenthesis other than rgb()/hsl() of numbers, a colon, a semicolon or a backslash, so
// none can bring in url(), an escape or another declaration. The primary and danger colours must
// then read on the background: text at 4.5:1 (WCAG 1.4.3), which also gives the focus ring its 3:1.
import type { AppearanceVariables } from '../protocol/messages.ts';
import { own } from './i18n.ts';

const SHAPES = {
  color: /^(#[\da-f]{3,8}|(rgb|hsl)a?\([\d.,%/ ]+\)|[a-z]{3,30})$/i,
  length: /^\d{1,4}(\.\d{1,4})?(px|rem|em|%)?$/,
  font: /^[\w "',-]{1,200}$/,
};

type Kind = keyof typeof SHAPES;

/** Each variable's kind; its property is `--cv-` and the name in kebab case (`--cv-color-primary`). */
const KINDS: Record<keyof AppearanceVariables, Kind> = {
  colorPrimary: 'color',
  colorText: 'color',
  colorBackground: 'color',
  colorDanger: 'color',
  fontFamily: 'font',
  fontSizeBase: 'length',
  borderRadius: 'length',
  spacingUnit: 'length',
};

export function isSafeValue(kind: Kind, value: unknown): value is string {
  return typeof value === 'string' && SHAPES[kind].test(value);
}

/** The colours the stylesheet starts from, as the contrast check needs them. */
const DEFAULTS: Record<string, string> = { colorBackground: '#fff', colorPrimary: '#00805a', colorDanger: '#c0262d' };

/** An #rgb or #rrggbb colour's channels; any other form (a name, rgb()) is kept as given, unmeasured. */
function channels(color: string): number[] | undefined {
  const hex = /^#([\da-f]{3}|[\da-f]{6})$/i.exec(color)?.[1];
  if (hex) return hex.length < 6 ? [...hex].map((d) => parseInt(d + d, 16)) : [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
}

/** WCAG's relative luminance, plus the 0.05 that both sides of its contrast ratio carry. */
const luminance = (rgb: number[]) =>
  rgb.reduce((sum, v, i) => sum + [0.2126, 0.7152, 0.0722][i] * ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4), 0.05);

/** Black contrasts more than white with a colour above this luminance (0.05 included): √(1.05 × 0.05). */
const LIGHT = 0.229;

/**
 * The colour, or else its nearest mix with black (on a light background) or white (on a dark one)
 * that reads at 4.5:1 there. One of the two always reaches it.
 */
function readableOn(color: number[], background: number[]): number[] {
  const bg = luminance(background);
  const end = bg > LIGHT ? 0 : 255;
  let mix = color;
  for (let step = 0; step <= 20; step++) {
    mix = color.map((v) => Math.round(v + ((end - v) * step) / 20));
    const fg = luminance(mix);
    if ((fg > bg ? fg / bg : bg / fg) >= 4.5) break;
  }
  return mix;
}

/** Sets the safe variables on the root element and returns a function that removes them. */
export function applyAppearance(root: HTMLElement, variables: unknown): () => void {
  const set: string[] = [];
  const safe: Record<string, string> = { ...DEFAULTS };
  const put = (property: string, value: string) => {
    root.style.setProperty(property, value);
    set.push(property);
  };
  for (const [name, value] of Object.entries(Object(variables))) {
    const kind = own(KINDS, name) ? KINDS[name as keyof AppearanceVariables] : undefined;
    if (!kind || !isSafeValue(kind, value)) continue;
    put(`--cv-${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, (safe[name] = value));
  }
  const background = channels(safe.colorBackground);
  let primary = channels(safe.colorPrimary);
  for (const name of ['Primary', 'Danger']) {
    const color = channels(safe[`color${name}`]);
    const readable = background && color && readableOn(color, background);
    if (readable?.some((v, i) => v !== color![i])) put(`--cv-color-${name.toLowerCase()}`, `rgb(${readable})`);
    if (name === 'Primary' && readable) primary = readable;
  }
  // The Pay button's text: black on a light primary, else white (the stylesheet's default), whatever
  // the background is (transparent included).
  if (primary && luminance(primary) > LIGHT) put('--cv-color-on-primary', '#000');
  return () => {
    for (const property of set) root.style.removeProperty(property);
  };
}
