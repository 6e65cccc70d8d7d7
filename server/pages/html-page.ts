// Every HTML page the vault serves: a strict Content-Security-Policy with a per-response nonce and
// frame-ancestors limited to the vault itself and the merchant's allowed origins.
import type { Context } from 'hono';
export interface PageOptions {
  nonce: string;
  ancestors: string[];
  title: string;
  body: string;
  head?: string;
  /** Origins beyond the vault's own that this page may frame and post forms to: a provider's issuer page. */
  issuerOrigins?: string[];
}

export function contentSecurityPolicy(nonce: string, ancestors: string[], extra = '', issuerOrigins: string[] = []): string {
  const issuers = issuerOrigins.join(' ');
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "connect-src 'self'",
    `form-action 'self' ${issuers}`.trim(),
    ...(issuers ? [`frame-src ${issuers}`] : []),
    "base-uri 'none'",
    `frame-ancestors 'self' ${ancestors.join(' ')}`.trim(),
    extra,
  ]
    .filter(Boolean)
    .join('; ');
}

const STYLE = `body{font:15px/1.4 system-ui,sans-serif;margin:0;padding:16px;color:#1a1a1a}h1{font-size:17px;margin:0 0 8px}
label{display:block;font-weight:600;margin:12px 0 4px}input{font:inherit;padding:8px;border:1px solid #999;border-radius:6px;width:12ch}
input:focus,button:focus{outline:3px solid #00805a;outline-offset:2px}
button{font:inherit;margin-top:12px;padding:8px 16px;border:0;border-radius:6px;background:#00805a;color:#fff}
.hint{color:#555;font-size:13px;margin:4px 0 0}
.vh{position:absolute;width:1px;height:1px;margin:-1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}`;

/**
 * The heading of a page shown inside the fields, below their own title for the step: kept for screen
 * readers (the frame is a document of its own), not shown a second time.
 */
export const FRAMED_HEADING = '<h1 class="vh">Confirm your payment</h1>';

export function htmlPage(o: PageOptions): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${o.title}</title><style nonce="${o.nonce}">${STYLE}</style>${o.head ?? ''}</head><body>${o.body}</body></html>`;
}

/** Answers with the page and its policy as a header (frame-ancestors works only as a header). */
export function servePage(c: Context, o: PageOptions, status: 200 | 404 = 200): Response {
  c.header('Content-Security-Policy', contentSecurityPolicy(o.nonce, o.ancestors, '', o.issuerOrigins));
  c.header('Cache-Control', 'no-store');
  return c.html(htmlPage(o), status);
}
