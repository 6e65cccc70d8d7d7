// What the money-path tests around midnight share: UTC days, a customer's agreement made in a recurring
// setup checkout (the way a shopper makes one), a scheduler pass asked for by the merchant, a provider
// whose 3-D Secure pauses a checkout's payment at the issuer's page, and processors that lose their
// answers or hold a charge.
import type { AuthorizeRequest, Processor } from '../../server/payments/processor.ts';
import { CARDS, newCard, openSession, type Shop, type TestVault } from './test-vault.ts';

const DAY = 86_400_000;
export const nextYear = new Date().getUTCFullYear() + 1;
export const dayOf = (t: number) => new Date(t).toISOString().slice(0, 10);
/** Today (UTC, real clock) and the days after it. */
export const today = () => dayOf(Date.now());
export const plusDays = (d: string, n: number) => dayOf(Date.parse(`${d}T00:00:00Z`) + n * DAY);
export const at = (d: string, time: string) => new Date(`${d}T${time}Z`);

/** The customer agrees in a recurring setup checkout with a new card: its token and the mandate (no charge counts toward the frequency). */
export async function subscribe(v: TestVault, s: Shop, customer: string, recurring: Record<string, unknown> = {}, number: string = CARDS.visa) {
  const session = await openSession(
    v,
    {
      customer,
      mode: 'setup',
      amount: undefined,
      currency: 'USD',
      recurring: { min_amount: 100, max_amount: 50_000, frequency_days: 0, end_date: `${nextYear}-12-31`, ...recurring },
    },
    s.secret_key,
  );
  const res = await v.frame('/frame/v1/confirm', session.secret, { card: newCard(number), save: true });
  if (res.status !== 200) throw new Error(`not confirmed: ${res.text}`);
  return { card: res.body.card.token as string, mandate: res.body.mandate as string };
}

/** A scheduler pass on the vault's clock, run by the merchant: its summary. */
export async function schedulerPass(s: Shop) {
  const res = await s.api('POST', '/v1/scheduler/run', {});
  if (res.status !== 200) throw new Error(`pass refused: ${res.text}`);
  return res.body;
}

/**
 * Installs, as the vault's processor, a provider whose 3-D Secure sends the customer to the issuer's page
 * for the checkout's attempts (Stripe, Adyen); `real` finishes the payment when the customer comes back,
 * and answers everything else.
 */
export function useRedirectingProcessor(v: TestVault, real: Processor, checkoutId: string): void {
  const paused = new Map<string, AuthorizeRequest>();
  v.runtime.deps.processor = {
    ...real,
    type: real.type,
    authorize: async (req: AuthorizeRequest) => {
      if (req.reference.startsWith(`${checkoutId}:`) && !paused.has(req.reference)) {
        paused.set(req.reference, req);
        return { outcome: 'redirect', processor_id: `pi_${req.reference}`, action: { url: 'https://issuer.example/3ds', method: 'GET' } };
      }
      return real.authorize(req);
    },
    completeRedirect: async ({ reference }: { reference: string }) => real.authorize({ ...paused.get(reference)!, authenticated: true }),
    lookup: (ref: string) => real.lookup(ref),
    cancel: (ref: string) => real.cancel(ref),
  } as Processor;
}

/** The customer back from the issuer's page of the challenge. */
export const issuerReturn = (v: TestVault, challenge: string) =>
  v.runtime.app.request(`http://vault.test/frame/3ds/${challenge}/return`, { method: 'GET' }, {
    incoming: { socket: { remoteAddress: '127.0.0.1' } },
  } as never);

/**
 * Installs a processor that acts (the money moves) but whose answers are lost on the way back, for the
 * references `lost` picks (all by default), and that cannot be asked anything (lookup; cancel too with
 * `cancels`) until `reachable()` is called.
 */
export function loseAnswers(v: TestVault, real: Processor, options: { lost?: (reference: string) => boolean; cancels?: boolean } = {}) {
  let down = true;
  const unreachable = () => {
    if (down) throw new Error('processor unreachable');
  };
  v.runtime.deps.processor = {
    ...real,
    type: real.type,
    authorize: async (req: AuthorizeRequest) => {
      const result = await real.authorize(req);
      if (options.lost?.(req.reference) ?? true) unreachable();
      return result;
    },
    lookup: async (ref: string) => {
      unreachable();
      return real.lookup(ref);
    },
    cancel: async (ref: string) => {
      if (options.cancels) unreachable();
      return real.cancel(ref);
    },
  } as unknown as Processor;
  return {
    reachable: () => {
      down = false;
    },
  };
}

/** Installs a processor that holds each authorisation for `ms`; resolves once one is there, past every check of its charge. */
export function holdAtProcessor(v: TestVault, real: Processor, ms: number): Promise<void> {
  let arrived!: () => void;
  const atProcessor = new Promise<void>((resolve) => (arrived = resolve));
  v.runtime.deps.processor = {
    ...real,
    type: real.type,
    authorize: async (req: AuthorizeRequest) => {
      arrived();
      await new Promise((resolve) => setTimeout(resolve, ms));
      return real.authorize(req);
    },
    lookup: (ref: string) => real.lookup(ref),
    cancel: (ref: string) => real.cancel(ref),
  } as unknown as Processor;
  return atProcessor;
}
