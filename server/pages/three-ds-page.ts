// The 3-D Secure challenge page the vault serves (shown inside the fields): a form for the issuer's
// code, with a strict CSP; when the challenge settles it tells the fields by a pinned postMessage.
import { Hono, type Context } from 'hono';
import { THREE_DS_MESSAGE, type ThreeDsMessage } from '../../protocol/messages.ts';
import { bodyLimit } from 'hono/body-limit';
import { checkFieldsLimits } from '../middleware/frame-auth.ts';
import type { AppEnv } from '../context.ts';
import { answerChallenge } from '../payments/challenges.ts';
import { randomSecret } from '../ids.ts';
import { FRAMED_HEADING, servePage } from './html-page.ts';
import { serveIssuerStep, serveIssuerWindow, serveReturn } from './issuer-redirect-page.ts';
import { completeIssuerReturn, returnParams } from '../payments/issuer-return.ts';
import { findChallenge } from '../challenges/challenge-store.ts';
import { findSession } from '../sessions/session-store.ts';
import { assertSessionOpen } from '../payments/confirm-session.ts';
import type { SessionTable } from '../db/schema.ts';

function sessionOpen(session: SessionTable, now: Date): boolean {
  try {
    assertSessionOpen(session, now);
    return true;
  } catch {
    return false;
  }
}
import { embeddingOrigins } from '../merchants/merchant-origins.ts';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function body(id: string, message: string, settled?: ThreeDsMessage['status']) {
  const form = settled
    ? ''
    : `
    <form method="post" action="/frame/3ds/${escapeHtml(id)}">
      <label for="code">Code from your bank</label>
      <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="8" required autofocus aria-describedby="hint">
      <p id="hint" class="hint">Test mode: the code is 123456.</p>
      <button type="submit">Verify</button>
    </form>`;
  return `<main>${FRAMED_HEADING}<p role="status" aria-live="polite">${escapeHtml(message)}</p>${form}</main>`;
}

export const threeDsPage = new Hono<AppEnv>()
  .get('/frame/3ds/:id', async (c) => {
    const challenge = await findChallenge(c.get('deps').db, c.req.param('id'));
    if (!challenge)
      return servePage(c, { nonce: randomSecret(16), ancestors: [], title: 'Not found', body: body('', 'This verification does not exist.', 'failed') }, 404);
    const ancestors = await allowedAncestors(c, challenge.session_id);
    if (challenge.kind === 'redirect') return serveIssuerStep(c, challenge, ancestors);
    return servePage(c, page(c.get('deps').publicUrl, challenge.id, ancestors, 'Your bank asks you to confirm this payment with a one-time code.'));
  })
  .get('/frame/3ds/:id/window', async (c) => {
    const challenge = await findChallenge(c.get('deps').db, c.req.param('id'));
    if (challenge?.kind !== 'redirect' || challenge.status !== 'pending') return c.text('Not found', 404);
    return serveIssuerWindow(c, challenge);
  })
  // The issuer sends the customer back here, by a GET or a form POST from its own origin.
  .on(['GET', 'POST'], '/frame/3ds/:id/return', bodyLimit({ maxSize: 64 * 1024, onError: (c) => c.text('Too large', 413) }), async (c) => {
    const deps = c.get('deps');
    const challenge = await findChallenge(deps.db, c.req.param('id'));
    if (challenge?.kind !== 'redirect') return c.text('Not found', 404);
    const session = await findSession(deps.db, challenge.session_id);
    const merchant = session && (await deps.merchants.byId(session.merchant_id));
    if (!merchant) return c.text('Not found', 404);
    const verdict = await checkFieldsLimits(c, merchant);
    if (!verdict.ok) return c.text('Too many attempts; wait and try again', 429, { 'Retry-After': String(verdict.retryAfter) });
    const form = c.req.method === 'POST' ? await c.req.parseBody().catch(() => ({}) as Record<string, unknown>) : {};
    const result = await completeIssuerReturn(deps, merchant, challenge, returnParams({ ...c.req.query(), ...form }));
    return serveReturn(c, challenge, result, merchant);
  })
  .post('/frame/3ds/:id', bodyLimit({ maxSize: 4096, onError: (c) => c.text('Too large', 413) }), async (c) => {
    const deps = c.get('deps');
    if (c.req.header('origin') !== deps.publicUrl) return c.text('Forbidden', 403);
    const challenge = await findChallenge(deps.db, c.req.param('id'));
    if (!challenge) return c.text('Not found', 404);
    const session = await findSession(deps.db, challenge.session_id);
    const merchant = session && (await deps.merchants.byId(session.merchant_id));
    const verdict = await checkFieldsLimits(c, merchant ?? { id: 'none', frame_limit_per_address: 60 });
    if (!verdict.ok) return c.text('Too many attempts; wait and try again', 429, { 'Retry-After': String(verdict.retryAfter) });
    const ancestors = await allowedAncestors(c, challenge.session_id);
    // A session that is complete, expired or closed by failures takes no more guesses, here as in the fields.
    if (!session || !sessionOpen(session, deps.clock()))
      return servePage(c, page(deps.publicUrl, challenge.id, ancestors, 'This payment is closed. It was not confirmed here.', 'failed'));
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const result = await answerChallenge(deps, challenge, String(form.code ?? '').trim());
    const message =
      result.status === 'passed'
        ? 'Verified. Returning to your payment…'
        : result.status === 'failed'
          ? 'The code was wrong too many times. The payment was not confirmed.'
          : `That code is not right. ${result.attempts_left} tries left.`;
    return servePage(c, page(deps.publicUrl, challenge.id, ancestors, message, result.status === 'pending' ? undefined : result.status));
  });

async function allowedAncestors(c: Context<AppEnv>, sessionId: string): Promise<string[]> {
  const session = await findSession(c.get('deps').db, sessionId);
  const merchant = session && (await c.get('deps').merchants.byId(session.merchant_id));
  return merchant ? embeddingOrigins(merchant) : [];
}

function page(vault: string, id: string, ancestors: string[], message: string, settled?: ThreeDsMessage['status']) {
  const nonce = randomSecret(16);
  // The fields' frame (the vault's own origin) is this page's parent; it listens for the outcome.
  const verdict = settled && ({ type: THREE_DS_MESSAGE, challenge: id, status: settled } satisfies ThreeDsMessage);
  const script = verdict ? `<script nonce="${nonce}">` + `parent.postMessage(${JSON.stringify(verdict)}, ${JSON.stringify(vault)});</script>` : '';
  return { nonce, ancestors, title: 'Confirm your payment', body: body(id, message, settled) + script };
}
