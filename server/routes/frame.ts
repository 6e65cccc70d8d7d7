// The endpoints only the fields' iframe calls (frameAuth guards them): read the session with the
// customer's saved cards, confirm, delete a saved card, answer a 3-D Secure challenge.
import { createRoute } from '@hono/zod-openapi';
import {
  CardDeleted, FrameChallengeAnswer, FrameChallengeResult, FrameConfirm, FrameConfirmResult, FrameDeleteCard, FrameSession, FrameSessionRequest, IdParam,
  type FrameSavedCard, type Recurring,
} from '../../protocol/api.ts';
import { getCustomer } from '../customers/customer-store.ts';
import { deleteCard } from '../customers/delete-card.ts';
import { ApiError, notFound } from '../errors.ts';
import { isActive } from '../payments/card-checks.ts';
import { answerChallenge } from '../payments/challenges.ts';
import { cvcWaivedFor } from '../payments/card-proof.ts';
import { assertSessionOpen, confirmSession, effectiveSaveCard } from '../payments/confirm-session.ts';
import { consentLocale, recurringConsentText } from '../payments/consent-wording.ts';
import { sessionStatus } from '../sessions/session-store.ts';
import { cardExpiry, listCardsForView } from '../vault/card-store.ts';
import { errors, jsonBody, jsonContent, router } from './openapi.ts';

const frameSecurity = [{ clientSecret: [] as string[] }];
const tags = ['Fields (iframe only)'];

const read = createRoute({ method: 'post', path: '/frame/v1/session', tags, security: frameSecurity, request: jsonBody(FrameSessionRequest), responses: { 200: jsonContent(FrameSession, 'The open session as the fields show it'), 403: errors[403], 404: errors[404], 410: errors[410], 429: errors[429] } });
const confirm = createRoute({ method: 'post', path: '/frame/v1/confirm', tags, security: frameSecurity, request: jsonBody(FrameConfirm), responses: { 200: jsonContent(FrameConfirmResult, 'Succeeded, or a 3-D Secure challenge to pass first'), 400: errors[400], 403: errors[403], 429: errors[429] } });
const removeCard = createRoute({ method: 'post', path: '/frame/v1/cards/delete', tags, security: frameSecurity, request: jsonBody(FrameDeleteCard), responses: { 200: jsonContent(CardDeleted, 'The card is deleted'), 404: errors[404] } });
const challenge = createRoute({ method: 'post', path: '/frame/v1/challenges/{id}', tags, security: frameSecurity, request: { params: IdParam, ...jsonBody(FrameChallengeAnswer) }, responses: { 200: jsonContent(FrameChallengeResult, 'The challenge after this answer'), 404: errors[404] } });

export const frameRoutes = router()
  .openapi(read, async (c) => {
    const { db, ring, clock } = c.get('deps');
    const merchant = c.get('merchant');
    const session = c.get('session');
    const now = clock();
    // A complete, expired or failed-out session reveals nothing more: not the saved cards, not the card it saved.
    assertSessionOpen(session, now);
    const customer = session.customer ? await getCustomer(db, session.group_id, session.customer) : undefined;
    let cards: FrameSavedCard[] = [];
    // A setup session adds a card: it offers no saved ones to pay with.
    const recurring: Recurring | null = session.recurring ? JSON.parse(session.recurring) : null;
    if (session.mode === 'payment' && session.customer && customer && customer.status !== 'deny') {
      const offered = (await listCardsForView(db, session.group_id, session.customer))
        .filter((r) => r.source === 'checkout' && r.successful_payments >= merchant.one_click_after)
        .map((row) => ({ row, exp: cardExpiry(ring, row) }))
        .filter(({ exp }) => isActive(exp, now));
      const waived = await cvcWaivedFor(db, merchant, session, offered.map(({ row }) => row.token));
      cards = offered.map(({ row, exp }) => ({ token: row.token, brand: row.brand, bin: row.bin, last4: row.last4, exp_month: exp.exp_month, exp_year: exp.exp_year, need_cvc: !waived.has(row.token), default: row.is_default }));
    }
    return c.json({
      id: session.id,
      mode: session.mode as 'payment' | 'setup',
      status: sessionStatus(session, now),
      amount: session.amount,
      currency: session.currency,
      order: session.order_ref,
      merchant: { name: merchant.name },
      save_card: effectiveSaveCard(session, customer),
      recurring,
      consent_text: recurring ? recurringConsentText(recurring, session.currency, merchant.name, consentLocale(c.req.valid('json').locale ?? customer?.locale)) : null,
      cards,
      three_d_secure: merchant.three_d_secure,
      failed_attempts: session.failed_attempts,
      expires_at: session.expires_at,
    }, 200);
  })
  .openapi(confirm, async (c) => c.json(await confirmSession(c.get('deps'), c.get('merchant'), c.get('session'), c.req.valid('json'), { hostOrigin: c.get('hostOrigin') }), 200))
  .openapi(removeCard, async (c) => {
    const { token } = c.req.valid('json');
    const { db, clock } = c.get('deps');
    const merchant = c.get('merchant');
    const session = c.get('session');
    const now = clock();
    assertSessionOpen(session, now);
    if (!session.customer) throw notFound('card', 'token');
    await deleteCard(db, { merchantId: merchant.id, groupId: session.group_id, customer: session.customer, token, by: 'customer', now, allow: (row) => row.source === 'checkout' });
    return c.json({ token, deleted: true as const }, 200);
  })
  .openapi(challenge, async (c) => {
    const { db } = c.get('deps');
    const row = await db.selectFrom('challenges').selectAll().where('id', '=', c.req.valid('param').id).where('session_id', '=', c.get('session').id).executeTakeFirst();
    if (!row) throw notFound('challenge', 'id');
    if (row.status === 'used') throw new ApiError('parameter_invalid', 'This challenge was already used for a payment', { param: 'id' });
    return c.json(await answerChallenge(c.get('deps'), row, c.req.valid('json').code), 200);
  });
