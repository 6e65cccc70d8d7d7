// Every call to a processor has a deadline (PROCESSOR_TIMEOUT_MS), shorter than the time after which a
// confirmation is presumed dead (60 s): past it the outcome counts as unknown, and the caller ends the
// operation at the processor (cancel) before anything else is tried, so a late answer takes no money.
import type { Processor } from './processor.ts';

export class ProcessorTimeout extends Error {
  constructor(operation: string, ms: number) {
    super(`the processor did not answer ${operation} within ${ms} ms`);
    this.name = 'ProcessorTimeout';
  }
}

function deadline<T>(operation: string, ms: number, call: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProcessorTimeout(operation, ms)), ms);
  });
  return Promise.race([call, late]).finally(() => clearTimeout(timer));
}

/** The processor with a deadline on each of its network calls. */
export function withTimeout(processor: Processor, ms: number): Processor {
  const parse = processor.parseNotifications?.bind(processor);
  return {
    type: processor.type,
    authorize: (request) => deadline('authorize', ms, processor.authorize(request)),
    void: (processorId, reference) => deadline('void', ms, processor.void(processorId, reference)),
    refund: (request) => deadline('refund', ms, processor.refund(request)),
    lookup: (reference) => deadline('lookup', ms, processor.lookup(reference)),
    cancel: (reference) => deadline('cancel', ms, processor.cancel(reference)),
    completeRedirect: (request) => deadline('completeRedirect', ms, processor.completeRedirect(request)),
    ...(parse ? { parseNotifications: parse } : {}),
  };
}
