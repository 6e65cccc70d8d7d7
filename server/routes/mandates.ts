// Recurring and card-on-file agreements: list, record one given elsewhere, cancel.
import { createRoute } from '@hono/zod-openapi';
import { CustomerParam, IdParam, MandateCreate, MandateList, MandateView } from '../../protocol/api.ts';
import { ApiError, notFound } from '../errors.ts';
import { cancelMandate, createMandate, dayOf, listMandates, toMandateView } from '../payments/mandates.ts';
import { findCard } from '../vault/card-store.ts';
import { errors, jsonBody, jsonContent, router, secured } from './openapi.ts';

const list = createRoute({ method: 'get', path: '/v1/customers/{customer}/mandates', security: secured, request: { params: CustomerParam }, responses: { 200: jsonContent(MandateList, "The customer's mandates in this merchant group, newest first"), 400: errors[400] } });
const create = createRoute({ method: 'post', path: '/v1/customers/{customer}/mandates', security: secured, summary: 'Record an agreement the customer gave elsewhere (for imported cards)', request: { params: CustomerParam, ...jsonBody(MandateCreate) }, responses: { 201: jsonContent(MandateView, 'The active mandate'), 400: errors[400], 402: errors[402], 404: errors[404] } });
const cancel = createRoute({ method: 'delete', path: '/v1/mandates/{id}', security: secured, request: { params: IdParam }, responses: { 200: jsonContent(MandateView, 'The mandate, cancelled: no merchant-initiated charge succeeds on it again'), 404: errors[404] } });

export const mandateRoutes = router()
  .openapi(list, async (c) => {
    const { customer } = c.req.valid('param');
    const { db, clock } = c.get('deps');
    return c.json({ data: await listMandates(db, c.get('merchant').id, customer, dayOf(clock())) }, 200);
  })
  .openapi(create, async (c) => {
    const { customer } = c.req.valid('param');
    const body = c.req.valid('json');
    const { db, clock } = c.get('deps');
    const merchant = c.get('merchant');
    const now = clock();
    if (body.min_amount > body.max_amount) throw new ApiError('parameter_invalid', 'min_amount must not exceed max_amount', { param: 'min_amount' });
    if (body.end_date < dayOf(now)) throw new ApiError('parameter_invalid', 'end_date must not be in the past', { param: 'end_date' });
    const row = await db.transaction().execute(async (trx) => {
      const card = await findCard(trx, merchant.group_id, customer, body.card);
      if (!card) throw notFound('card', 'card');
      // A card saved through the fields (here or at a sister shop) gets a mandate only from the customer,
      // in the fields; an imported card only from the merchant that imported it.
      const imported = card.source === 'import' && await trx.selectFrom('card_imports').select('merchant_id')
        .where('card_token', '=', card.token).where('merchant_id', '=', merchant.id).executeTakeFirst();
      if (!imported) {
        throw new ApiError('mandate_violation', card.source === 'import'
          ? 'Only the merchant that imported this card may record an agreement for it'
          : 'This card was saved through the fields: only the customer can agree to a mandate on it, in the fields', { param: 'card' });
      }
      // Only the id the other provider gave this agreement: never one of a charge the mandate did not come from.
      const ntid = body.consent.network_transaction_id ?? null;
      return createMandate(trx, {
        merchantId: merchant.id, groupId: merchant.group_id, customer, cardToken: card.token,
        terms: { min_amount: body.min_amount, max_amount: body.max_amount, frequency_days: body.frequency_days, end_date: body.end_date },
        currency: body.currency,
        networkTransactionId: ntid,
        consent: { text: body.consent.text, accepted_at: new Date(body.consent.accepted_at).toISOString(), origin: null, last4: card.last4, network_transaction_id: ntid, source: 'import' },
        lastChargeAt: null,
        now,
      });
    });
    return c.json(toMandateView(row, dayOf(now)), 201);
  })
  .openapi(cancel, async (c) => {
    const deps = c.get('deps');
    return c.json(await cancelMandate(deps, c.get('merchant'), c.req.valid('param').id), 200);
  });
