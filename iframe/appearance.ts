// Applies the merchant's appearance variables as CSS custom properties through the CSSOM (the
// page's CSP allows no inline style), keeping only values of a conservative shape: no value can
// carry a parenthesis other than rgb()/hsl() of numbers, a colon, a semicolon or a backslash, so
// none can bring in url(), an escape or another declaration.
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

/** Sets the safe variables on the root element and returns a function that removes them. */
export function applyAppearance(root: HTMLElement, variables: unknown): () => void {
  const set: string[] = [];
  for (const [name, value] of Object.entries(Object(variables))) {
    const kind = own(KINDS, name) ? KINDS[name as keyof AppearanceVariables] : undefined;
    if (!kind || !isSafeValue(kind, value)) continue;
    const property = `--cv-${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    root.style.setProperty(property, value);
    set.push(property);
  }
  return () => {
    for (const property of set) root.style.removeProperty(property);
  };
}
