// POST /v1/forward: a saved card sent to one of the merchant's registered destinations, its number
// and expiry filled into the merchant's request by the vault, so the number never reaches the merchant.
// The CVC is never stored, so it cannot be sent from here (a session's forward sends it). Only a card
// this merchant imported itself, or that its customer used in one of its own checkouts, may be sent:
// a sister shop of the group could otherwise hand any card of the group to its own provider.
import type { z } from 'zod';
import type { ForwardCreate, ForwardResponse } from '../../protocol/api.ts';
import type { Deps } from '../context.ts';
import type { Db } from '../db/database.ts';
import { ApiError, notFound } from '../errors.ts';
import { emitEvent } from '../events/emit-event.ts';
import type { Merchant } from '../merchants/merchant-store.ts';
import { cardSecret, findCard, importedBy, type LiveCard } from '../cards/card-store.ts';
import { assertForwardable } from '../payments/test-mode-cards.ts';
import { cardsCompletedBy } from '../sessions/session-store.ts';
import { checkTemplate, fillTemplate } from './placeholders.ts';
import { sendForward } from './send-forward.ts';
import { openHeaders, overPlainHttp, usableDestination } from './usable-destination.ts';

type Input = z.output<typeof ForwardCreate>;

export async function forwardSavedCard(deps: Deps, merchant: Merchant, input: Input): Promise<ForwardResponse> {
  const destination = await usableDestination(deps.db, merchant, input.destination);
  const template = checkTemplate(input.request, {
    allowCvc: false,
    param: 'request',
    registeredHeaders: JSON.parse(destination.header_names),
    registeredUrl: destination.url,
  });
  const card = await forwardableCard(deps.db, merchant, input.customer, input.card);
  const secret = cardSecret(deps.ring, card);
  // Test mode's rule holds here too (a real card stored before it is not sent on), and plain http, which
  // a test-mode destination may use, carries test cards only, a shop on a provider's test account too.
  assertForwardable(merchant, secret.number, overPlainHttp(destination));
  const registeredHeaders = openHeaders(deps, destination);

  const sent = await sendForward({ url: destination.url, registeredHeaders }, template, fillTemplate(template, secret), deps.processorTimeoutMs);
  const status = sent.ok ? sent.status : sent.error === 'forward_timeout' ? 504 : 0;
  // Whatever came back, the card was sent: the merchant's account says so, without the answer.
  await emitEvent(deps.db, {
    merchantId: merchant.id,
    groupId: merchant.group_id,
    type: 'card.forwarded',
    data: { card: card.token, destination: destination.name, status },
    now: deps.clock(),
  });
  if (sent.ok) return { status: sent.status, headers: sent.headers, body: sent.body };
  deps.logger.warn({ destination: destination.id, error: sent.error }, 'forward to a destination failed');
  if (sent.error === 'forward_timeout') throw new ApiError('forward_timeout', `The destination did not answer within ${deps.processorTimeoutMs} ms`);
  if (sent.error === 'answer_too_large') throw new ApiError('processor_unavailable', 'The destination answered with more than 1 MB; the answer was not kept');
  throw new ApiError('processor_unavailable', 'The destination could not be reached');
}

async function forwardableCard(db: Db, merchant: Merchant, customer: string, token: string): Promise<LiveCard> {
  const card = await findCard(db, merchant.group_id, customer, token);
  // The same answer for a card that does not exist and one that is not this merchant's to send.
  const missing = () => notFound('card', 'card');
  if (!card) throw missing();
  if (await importedBy(db, card.token, merchant.id)) return card;
  // Else one of this merchant's own checkouts must have completed with it.
  if (!(await cardsCompletedBy(db, merchant.id, undefined, [card.token])).has(card.token)) throw missing();
  return card;
}
