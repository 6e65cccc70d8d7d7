// The one way the vault asks a processor for money: an authorisation whose outcome is unknown (a
// throw, a timeout, an error answer) is settled by asking what became of its reference, so a retry
// never charges twice and a lost answer is found again.
import type { AuthorizeRequest, AuthorizeResult, Processor } from './processor.ts';

/**
 * Authorizes `request`; on an unknown outcome asks the processor's ledger for the reference and, at a
 * real provider that cannot be asked without operating, sends the same request again, which its
 * idempotency key (the reference) answers with the first attempt's result if that attempt reached it.
 * Still unknown, the answer is `error`: the caller ends or reports the attempt. `onThrow` hears only
 * the error's name: a processor's message could quote what it was sent.
 */
export async function authorizeSettled(processor: Processor, request: AuthorizeRequest, onThrow: (name: string) => void): Promise<AuthorizeResult> {
  const ask = (call: () => Promise<AuthorizeResult | undefined>) =>
    call().catch((err: Error) => {
      onThrow(err.name);
      return { outcome: 'error', message: 'processor unreachable' } as const;
    });
  const result = (await ask(() => processor.authorize(request)))!;
  if (result.outcome !== 'error') return result;
  const known = await processor.lookup(request.reference).catch(() => undefined);
  if (known && known.outcome !== 'error') return known;
  if (processor.type === 'simulated') return result;
  return (await ask(() => processor.authorize(request))) ?? result;
}
