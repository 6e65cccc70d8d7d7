// A provider's 3-D Secure, inside the fields: the vault's page frames the issuer's page (with a link
// to open it in a window of its own, for issuers that refuse to be framed), the issuer sends the
// customer back to the vault's return address, the vault asks the provider to finish the payment,
// and the return page tells the vault's page, which tells the fields by a pinned postMessage.
import type { Context } from 'hono';
import { THREE_DS_MESSAGE, type ThreeDsMessage } from '../../protocol/messages.ts';
import type { AppEnv } from '../context.ts';
import type { ChallengeTable } from '../db/schema.ts';
import { randomSecret } from '../ids.ts';
import type { Merchant } from '../merchants/merchant-store.ts';
import type { AuthorizeResult, RedirectAction } from '../payments/processor.ts';
import { FRAMED_HEADING, servePage } from './html-page.ts';
import { embeddingOrigins } from '../merchants/merchant-origins.ts';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
const json = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c');

function issuerForm(action: RedirectAction, target: string): string {
  const fields = Object.entries(action.data ?? {})
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('');
  return `<form id="issuer-form" method="${action.method === 'POST' ? 'post' : 'get'}" action="${escapeHtml(action.url)}" target="${target}">${fields}</form>`;
}

/** The step shown in the fields: the issuer's page in a frame, and a way out when it will not be framed. */
export function serveIssuerStep(c: Context<AppEnv>, challenge: ChallengeTable, ancestors: string[]): Response {
  const vault = c.get('deps').publicUrl;
  const action = JSON.parse(challenge.action!) as RedirectAction;
  const nonce = randomSecret(16);
  // A GET keeps the query the provider put on the URL: it is loaded as the frame's address, not by a form.
  const frame =
    action.method === 'POST'
      ? `<iframe name="issuer" title="Your bank" class="issuer"></iframe>${issuerForm(action, 'issuer')}`
      : `<iframe name="issuer" title="Your bank" class="issuer" src="${escapeHtml(action.url)}"></iframe>`;
  const windowLink = `<a href="/frame/3ds/${escapeHtml(challenge.id)}/window" target="_blank" rel="opener">open it in a new window</a>`;
  const body = `<main>${FRAMED_HEADING}
<p>Your bank's page opens below. If it stays blank, ${windowLink}.</p>
${frame}<p role="status" aria-live="polite" id="status"></p></main>
<script nonce="${nonce}">
(function () {
  var form = document.getElementById('issuer-form');
  if (form) form.submit();
  // The return page (framed here, or in the window opened above) reports on the vault's origin only.
  addEventListener('message', function (e) {
    var m = e.data;
    if (e.origin !== ${json(vault)} || !m || m.type !== 'checkout:3ds-return' || m.challenge !== ${json(challenge.id)}) return;
    parent.postMessage({ type: '${THREE_DS_MESSAGE}', challenge: m.challenge, status: m.status }, ${json(vault)});
  });
})();
</script>`;
  const head = `<style nonce="${nonce}">.issuer{width:100%;height:420px;border:1px solid #ccc;border-radius:6px}</style>`;
  // The vault's own origin too: the issuer sends its frame back to the vault's return page, and
  // frame-src governs every navigation of the frame, so without it the browser blocks the return.
  return servePage(c, { nonce, ancestors, title: 'Confirm your payment', body, head, issuerOrigins: [new URL(action.url).origin, vault] });
}

/** The same step in a window of its own (the fallback): the issuer's page is loaded at the top. */
export function serveIssuerWindow(c: Context<AppEnv>, challenge: ChallengeTable): Response {
  const action = JSON.parse(challenge.action!) as RedirectAction;
  const nonce = randomSecret(16);
  const post = action.method === 'POST';
  const body = `<main><h1>Confirm your payment</h1><p>Taking you to your bank…</p>${issuerForm(action, '_self')}</main>
<script nonce="${nonce}">${post ? "document.getElementById('issuer-form').submit();" : `location.replace(${json(action.url)});`}</script>`;
  return servePage(c, { nonce, ancestors: [], title: 'Confirm your payment', body, issuerOrigins: [new URL(action.url).origin] });
}

/** What the return page shows and reports once the provider answered. */
export function serveReturn(c: Context<AppEnv>, challenge: ChallengeTable, result: AuthorizeResult, merchant: Merchant | undefined): Response {
  const vault = c.get('deps').publicUrl;
  // Relayed as it is by the step's page to the fields, as a ThreeDsMessage's status.
  const status: ThreeDsMessage['status'] = result.outcome === 'approved' ? 'passed' : 'failed';
  const nonce = randomSecret(16);
  const message = status === 'passed' ? 'Verified. Returning to your payment…' : 'Your bank did not confirm the payment.';
  const body = `<main><h1>Confirm your payment</h1><p role="status">${escapeHtml(message)}</p></main>
<script nonce="${nonce}">
(function () {
  var m = { type: 'checkout:3ds-return', challenge: ${json(challenge.id)}, status: ${json(status)} };
  if (window.opener) { window.opener.postMessage(m, ${json(vault)}); window.close(); }
  else parent.postMessage(m, ${json(vault)});
})();
</script>`;
  return servePage(c, { nonce, ancestors: merchant ? embeddingOrigins(merchant) : [], title: 'Confirm your payment', body });
}
