// The dashboard API's shapes are written once, in protocol/schemas/dashboard.ts: what /me, /audit and
// /overview answer is exactly what those schemas describe, nothing more. And the modules behind the
// routes: the scheduler's auto-pay verdict on the invoices the overview lists that a pass never tries,
// and the sign-in outcomes the sign-in page is drawn from.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditList, Me, Overview } from '../../protocol/api.ts';
import type { InvoiceTable } from '../../server/db/schema.ts';
import { autoPayVerdict } from '../../server/jobs/scheduler.ts';
import { signIn } from '../../server/staff/sign-in.ts';
import { readStaffSession } from '../../server/staff/staff-sessions.ts';
import { dashboard } from '../helpers/dashboard.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { CARDS, newCard, newShop, openSession, type Shop, startTestVault, type TestVault } from '../helpers/test-vault.ts';

const PASSWORD = 'correct horse battery 42';
let n = 0;
const email = () => `wire${++n}.${Date.now()}@shop.example`;
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

describeEachDb('the dashboard API', (target) => {
  let v: TestVault;
  let d: ReturnType<typeof dashboard>;
  let shop: Shop;
  let cookie: string;
  beforeAll(async () => {
    v = await startTestVault(target, { limits: { TRUST_PROXY: 1 } });
    d = dashboard(v);
    shop = await newShop(v);
    cookie = await d.signedIn(email(), PASSWORD, { merchant: shop.id });
  });
  afterAll(() => v?.close());

  describe('answers in the shapes of protocol/schemas/dashboard.ts', () => {
    /** The body read by the schema, which drops what it does not declare: equal when nothing was dropped. */
    const exactly = (schema: { parse(body: unknown): unknown }, body: unknown) => expect(schema.parse(body)).toEqual(body);

    it('GET /me', async () => {
      const res = await d.call('GET', '/me', { cookie });
      expect(res.status).toBe(200);
      exactly(Me, res.body);
      expect(res.body).toMatchObject({ role: 'admin', merchant: { id: shop.id, livemode: false }, other_accounts: [] });
    });

    it('GET /audit', async () => {
      const res = await d.call('GET', '/audit?limit=5', { cookie });
      expect(res.status).toBe(200);
      exactly(AuditList, res.body);
      expect(res.body.data.map((l: { action: string }) => l.action)).toEqual(['sign_in', 'password_set']);
    });

    it('GET /overview', async () => {
      const s = await openSession(v, { amount: 1200, currency: 'EUR' }, shop.secret_key);
      expect((await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa) })).status).toBe(200);
      const invoice = await shop.api('POST', '/v1/invoices', { customer: 'wire-1', amount: 900, currency: 'EUR', due_date: inDays(4), auto_pay: false });
      expect(invoice.status, invoice.text).toBe(201);
      const res = await d.call('GET', '/overview?days=7', { cookie });
      expect(res.status).toBe(200);
      exactly(Overview, res.body);
      expect(res.body.upcoming).toMatchObject([{ invoice: invoice.body.id, automatic: false, charge_from: null, reason: 'auto_pay_off' }]);
    });
  });

  describe("the scheduler's auto-pay verdict", () => {
    const row = (over: Partial<InvoiceTable>): InvoiceTable => ({
      id: 'inv_verdict',
      merchant_id: shop.id,
      group_id: shop.group,
      customer: 'nobody-here',
      amount: 1000,
      currency: 'EUR',
      due_date: inDays(5),
      description: null,
      auto_pay: 1,
      status: 'open',
      last_attempt_on: null,
      pending_ref: null,
      pending_card: null,
      pending_checked_on: null,
      attempts: 0,
      charge_id: null,
      failure_code: null,
      decline_code: null,
      created_at: new Date().toISOString(),
      paid_at: null,
      ...over,
    });

    it('says why it will not charge: auto-pay off first, then overdue, then the card', async () => {
      const merchant = (await v.runtime.deps.merchants.byId(shop.id))!;
      const today = inDays(0);
      expect(await autoPayVerdict(v.runtime.deps, merchant, row({ auto_pay: 0, due_date: inDays(-1) }), today)).toEqual({ reason: 'auto_pay_off' });
      expect(await autoPayVerdict(v.runtime.deps, merchant, row({ due_date: inDays(-1) }), today)).toEqual({ reason: 'past_due' });
      expect(await autoPayVerdict(v.runtime.deps, merchant, row({ due_date: today }), today)).toEqual({ reason: 'no_default_card' });
    });
  });

  describe('signing in', () => {
    const deps = () => v.runtime.deps;

    it('answers a tagged outcome, and a token that opens a session', async () => {
      const who = email();
      await d.setPassword(await d.addUser(who, { merchant: shop.id }), PASSWORD);
      const address = '198.51.100.7';
      expect(await signIn(deps(), { email: who, password: '', address })).toEqual({ ok: false, reason: 'incomplete' });
      expect(await signIn(deps(), { email: who, password: 'not the password at all', address })).toEqual({ ok: false, reason: 'wrong_password' });
      expect(await signIn(deps(), { email: `unknown.${who}`, password: PASSWORD, address })).toEqual({ ok: false, reason: 'wrong_password' });
      const outcome = await signIn(deps(), { email: who, password: PASSWORD, address });
      if (!outcome.ok) throw new Error(`refused: ${outcome.reason}`);
      const session = await readStaffSession(deps().db, outcome.token, deps().clock());
      expect(session?.staff).toMatchObject({ email: who, merchant_id: shop.id });
    });
  });
});
