// The API refuses an amount the merchant's provider could not take, before anything is written or sent,
// rather than letting a customer reach a payment the provider would refuse (or read otherwise).
import { ApiError } from '../errors.ts';
import type { Deps } from '../context.ts';
import type { Merchant } from '../merchants/merchant-store.ts';
import type { Processor } from './processor.ts';

export function processorTakes(processor: Processor, amount: number, currency: string): void {
  const problem = processor.amountProblem?.(amount, currency);
  if (problem) throw new ApiError('parameter_invalid', problem, { param: 'amount' });
}

/** The same, for the processor the merchant has now if it has one (a live shop may not have chosen one yet). */
export function shopProcessorTakes(deps: Pick<Deps, 'processors'>, merchant: Merchant, amount: number, currency: string): void {
  let processor: Processor;
  try {
    processor = deps.processors.for(merchant);
  } catch (err) {
    if (err instanceof ApiError) return;
    throw err;
  }
  processorTakes(processor, amount, currency);
}
