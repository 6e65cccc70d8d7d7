// What the money-path tests around midnight share: UTC days, a customer's agreement made in a recurring
// setup checkout (the way a shopper makes one), and a scheduler pass asked for by the merchant.
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
