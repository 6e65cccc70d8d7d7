// A session's `forward`: a request to one of the merchant's registered destinations, sent from the
// customer's own confirmation while the CVC is still in memory (a provider such as Lemonway's
// RegisterCard asks for it, and the vault never stores it). The template is checked when the session
// is created; the filled request is never written anywhere, and what the destination answered is kept
// on the session, card numbers masked: after a request that carried the CVC, only the answer's fields
// the operator named (answerFor). The payment has happened by then: nothing here may fail it.
import type { z } from 'zod';
import type { ForwardResult, SessionForward } from '../../protocol/api.ts';
import type { Deps } from '../context.ts';
import type { Db } from '../db/database.ts';
import type { SessionTable } from '../db/schema.ts';
import { emitEvent } from '../events/emit-event.ts';
import type { Merchant } from '../merchants/merchant-store.ts';
import { openHeaders, overPlainHttp, usableDestination } from './usable-destination.ts';
import { checkTemplate, fillTemplate, type CardValues } from './placeholders.ts';
import { answerAfterCvc } from './mask-answer.ts';
import { sendForward, type SendOutcome } from './send-forward.ts';
import { answerFieldsOf } from './destination-store.ts';
import { isTestCardNumber } from '../payments/test-mode-cards.ts';
import { recordForwardResult, sessionCardToken } from '../sessions/session-store.ts';

type Spec = z.output<typeof SessionForward>;

/** At session creation: the destination is this merchant's, and the template would fill (CVC allowed). */
export async function checkSessionForward(db: Db, merchant: Merchant, forward: Spec): Promise<void> {
  const destination = await usableDestination(db, merchant, forward.destination, 'forward.destination');
  checkTemplate(forward.request, {
    allowCvc: true,
    param: 'forward.request',
    registeredHeaders: JSON.parse(destination.header_names),
    registeredUrl: destination.url,
  });
}

const FAILED: ForwardResult = { status: 0, body: null, error: 'forward_failed' };

/**
 * What the session keeps of an answer: its body with card numbers masked; after a request that carried
 * the CVC, only the fields the operator named for the destination, or nothing (mask-answer.ts says why).
 */
function answerFor(sent: Extract<SendOutcome, { ok: true }>, carriedCvc: boolean, fields: string[]): ForwardResult {
  if (!carriedCvc || sent.body === null) return { status: sent.status, body: sent.body };
  const body = answerAfterCvc(sent.body, fields);
  return body === null ? { status: sent.status, body: null, withheld: true } : { status: sent.status, body };
}

/**
 * Sends the session's forward, if it has one, with the card just confirmed, and keeps the answer on
 * the session. Never throws: a destination that fails or is late leaves `forward_result` saying so.
 */
export async function forwardFromConfirmation(deps: Deps, merchant: Merchant, session: SessionTable, card: CardValues): Promise<void> {
  if (!session.forward) return;
  let result = FAILED;
  let destinationName: string | undefined;
  try {
    const spec = JSON.parse(session.forward) as Spec;
    const destination = await usableDestination(deps.db, merchant, spec.destination);
    const template = checkTemplate(spec.request, {
      allowCvc: true,
      param: 'forward.request',
      registeredHeaders: JSON.parse(destination.header_names),
      registeredUrl: destination.url,
    });
    // Plain http (a test-mode destination only) carries test cards only, whatever the processor: a real
    // card typed into a shop on a provider's test account is not sent across the network in the clear.
    const inClear = overPlainHttp(destination) && !isTestCardNumber(card.number);
    if (inClear) {
      deps.logger.warn({ session: session.id, destination: destination.id }, 'session forward not sent: plain http carries test cards only');
    } else if (!template.usesCvc || card.cvc !== undefined) {
      // A saved card paid one-click carries no CVC: a request that needs one is not sent without it.
      const sent = await sendForward(
        { url: destination.url, registeredHeaders: openHeaders(deps, destination) },
        template,
        fillTemplate(template, card),
        deps.processorTimeoutMs,
      );
      destinationName = destination.name;
      result = sent.ok
        ? answerFor(sent, template.usesCvc, answerFieldsOf(destination))
        : sent.error === 'forward_timeout'
          ? { status: 504, body: null, error: 'forward_timeout' }
          : FAILED;
      if (!sent.ok) deps.logger.warn({ session: session.id, destination: destination.id, error: sent.error }, 'forward from a confirmation failed');
    } else {
      deps.logger.warn({ session: session.id }, 'session forward not sent: it needs the CVC, which this confirmation did not carry');
    }
  } catch (err) {
    // Only the error's name: its message could quote what was being sent.
    deps.logger.warn({ session: session.id, error: (err as Error).name }, 'session forward not sent');
  }
  try {
    const now = deps.clock();
    await deps.db.transaction().execute(async (trx) => {
      await recordForwardResult(trx, session.id, result);
      if (destinationName === undefined) return;
      // The card the completed session saved or paid with; a guest's card has no token.
      const card = await sessionCardToken(trx, session.id);
      await emitEvent(trx, {
        merchantId: merchant.id,
        groupId: session.group_id,
        type: 'card.forwarded',
        data: { card, destination: destinationName, status: result.status },
        now,
      });
    });
  } catch (err) {
    deps.logger.error({ session: session.id, error: (err as Error).name }, 'session forward result not recorded');
  }
}
