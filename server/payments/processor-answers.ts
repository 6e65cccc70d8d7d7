// What a provider says in words is stored, shown to the merchant and sent in events: a decline's
// message and codes, a refund's failure, a notification's reason. Each is scrubbed of anything shaped
// like a card number on its way in, as the logger scrubs its lines: a provider (or whatever answers at
// its address) may echo what it was sent, and the vault never keeps a number in the clear. The
// provider's ids are left as they are: Adyen's pspReference is sixteen digits.
import { scrub } from '../logger.ts';
import type { AuthorizeResult, Processor, ProcessorNotification, ProcessorResponse, RefundResult } from './processor.ts';

const text = (value: string) => scrub(value) as string;
const response = (r: ProcessorResponse | undefined) => r && { code: text(r.code), message: text(r.message) };

export function scrubbedAuthorization<T extends AuthorizeResult | undefined>(result: T): T {
  if (result?.outcome === 'error') return { ...result, message: text(result.message) };
  if (result?.outcome !== 'declined') return result;
  const { decline_code, processor_response } = result;
  return {
    ...result,
    message: text(result.message),
    ...(decline_code === undefined ? {} : { decline_code: text(decline_code) }),
    ...(processor_response === undefined ? {} : { processor_response: response(processor_response) }),
  };
}

function scrubbedRefund(result: RefundResult): RefundResult {
  return result.processor_response === undefined ? result : { ...result, processor_response: response(result.processor_response) };
}

function scrubbedNotification(n: ProcessorNotification): ProcessorNotification {
  return n.reason === undefined ? n : { ...n, reason: text(n.reason) };
}

/** A real connector whose answers' words are scrubbed before anything in the vault reads them. */
export function withScrubbedAnswers(processor: Processor): Processor {
  const parse = processor.parseNotifications?.bind(processor);
  return {
    type: processor.type,
    authorize: async (request) => scrubbedAuthorization(await processor.authorize(request)),
    void: (processorId, reference) => processor.void(processorId, reference),
    refund: async (request) => scrubbedRefund(await processor.refund(request)),
    lookup: async (reference) => scrubbedAuthorization(await processor.lookup(reference)),
    cancel: async (reference) => scrubbedAuthorization(await processor.cancel(reference)),
    completeRedirect: async (request) => scrubbedAuthorization(await processor.completeRedirect(request)),
    ...(parse ? { parseNotifications: async (rawBody, headers) => (await parse(rawBody, headers)).map(scrubbedNotification) } : {}),
  };
}
