// The merchant's colours in the fields stay readable on the merchant's background, dark or light.
import { afterEach, describe, expect, it } from 'vitest';
import { applyAppearance } from '../../iframe/appearance.ts';

const root = () => document.documentElement;
const property = (name: string) => root().style.getPropertyValue(`--cv-color-${name}`);
let remove = () => {};
afterEach(() => remove());

/** WCAG's contrast ratio of two colours written `#rrggbb`, `#rgb` or `rgb(r,g,b)`. */
function contrast(a: string, b: string): number {
  const channels = (c: string) =>
    c.startsWith('#')
      ? (c.length === 4 ? [...c.slice(1)].map((d) => d + d) : c.slice(1).match(/../g)!).map((h) => parseInt(h, 16))
      : c.match(/\d+/g)!.map(Number);
  const luminance = (c: string) => {
    const [r, g, bl] = channels(c).map((v) => (v / 255 <= 0.03928 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl + 0.05;
  };
  const [x, y] = [luminance(a), luminance(b)];
  return Math.max(x, y) / Math.min(x, y);
}

describe("the merchant's colours on its background", () => {
  it('lightens a primary colour that is too dark for a dark background, just enough for 4.5:1', () => {
    remove = applyAppearance(root(), { colorBackground: '#111', colorText: '#eee', colorPrimary: '#3366ff' });
    const primary = property('primary');
    expect(primary).toMatch(/^rgb\(/);
    expect(contrast(primary, '#111')).toBeGreaterThanOrEqual(4.5);
    expect(contrast(primary, '#111')).toBeLessThan(5.5);
    // Still the merchant's blue, a shade lighter.
    const [r, g, b] = primary.match(/\d+/g)!.map(Number);
    expect(b).toBe(255);
    expect(r).toBeGreaterThan(0x33);
    expect(g).toBeGreaterThan(0x66);
    expect(r).toBeLessThan(g);
  });

  it('makes the default colours readable on a dark background the merchant named no colour for', () => {
    remove = applyAppearance(root(), { colorBackground: '#111111', colorText: '#eeeeee' });
    // #00805a reads at 3.8:1 on #111, #c0262d at 3.2:1.
    expect(contrast(property('primary'), '#111111')).toBeGreaterThanOrEqual(4.5);
    expect(contrast(property('danger'), '#111111')).toBeGreaterThanOrEqual(4.5);
  });

  it('darkens a merchant colour too light for a light background', () => {
    remove = applyAppearance(root(), { colorPrimary: '#ffcc00', colorDanger: '#ff6666' });
    expect(contrast(property('primary'), '#fff')).toBeGreaterThanOrEqual(4.5);
    expect(contrast(property('danger'), '#fff')).toBeGreaterThanOrEqual(4.5);
  });

  it('keeps colours that read as they are, and any it cannot measure (a name, rgb())', () => {
    remove = applyAppearance(root(), { colorBackground: '#111', colorPrimary: '#ffcc00', colorDanger: '#ff8080' });
    expect([property('primary'), property('danger')]).toEqual(['#ffcc00', '#ff8080']);
    remove();
    remove = applyAppearance(root(), { colorBackground: 'black', colorPrimary: '#3366ff', colorDanger: 'rgb(10, 10, 10)' });
    expect([property('primary'), property('danger')]).toEqual(['#3366ff', 'rgb(10, 10, 10)']);
    remove();
    remove = applyAppearance(root(), {});
    expect(root().getAttribute('style') ?? '').toBe('');
  });

  it("writes the Pay button's text in black or white, whichever reads on the primary, whatever the background", () => {
    remove = applyAppearance(root(), { colorBackground: 'transparent' });
    // The default green under white text: the stylesheet's own default stands.
    expect(property('on-primary')).toBe('');
    remove();
    remove = applyAppearance(root(), { colorBackground: '#111', colorPrimary: '#ffcc00' });
    expect(property('on-primary')).toBe('#000');
    expect(contrast('#000', '#ffcc00')).toBeGreaterThanOrEqual(4.5);
    remove();
    // A primary lightened for a dark background is measured as it is shown.
    remove = applyAppearance(root(), { colorBackground: '#111', colorPrimary: '#3366ff' });
    const shown = property('primary');
    const onShown = property('on-primary') || '#fff';
    expect(contrast(onShown, shown)).toBeGreaterThanOrEqual(4.5);
  });

  it('removes the colours it adjusted with the rest', () => {
    remove = applyAppearance(root(), { colorBackground: '#000', colorPrimary: '#00f' });
    expect(property('danger')).not.toBe('');
    remove();
    expect(root().getAttribute('style') ?? '').toBe('');
  });
});
