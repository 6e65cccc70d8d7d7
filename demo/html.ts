// A tagged template for server-rendered HTML: every interpolated value is escaped unless it is
// already HTML made by this tag, so a customer number or a vault message can never inject markup.

const SAFE = Symbol('safe-html');

export interface Html {
  readonly [SAFE]: true;
  readonly value: string;
}

type Part = Html | string | number | boolean | null | undefined | readonly Part[];

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ENTITIES[ch]!);
}

function isHtml(part: unknown): part is Html {
  return typeof part === 'object' && part !== null && SAFE in part;
}

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return '';
  if (isHtml(part)) return part.value;
  if (Array.isArray(part)) return part.map(render).join('');
  return escapeHtml(String(part));
}

/** Marks text as trusted HTML. Only for constants written in this codebase, never for input. */
export function unsafeRaw(value: string): Html {
  return { [SAFE]: true, value };
}

export function html(strings: TemplateStringsArray, ...parts: Part[]): Html {
  let out = strings[0]!;
  parts.forEach((part, i) => {
    out += render(part) + strings[i + 1]!;
  });
  return unsafeRaw(out);
}

/**
 * JSON for a `<script type="application/json">` block: `<` is written as `\u003c` so that no value
 * can close the script element, and U+2028/2029 are escaped for old parsers.
 */
export function jsonScript(id: string, value: unknown): Html {
  const json = JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
  return unsafeRaw(`<script type="application/json" id="${escapeHtml(id)}">${json}</script>`);
}
