// POST /v1/customers/:customer: the merchant refuses or allows saving cards for a customer, and sets
// the contact, limits and language; the customer is created on first sight.
import type { z } from 'zod';
import type { CustomerUpdate } from '../../protocol/api.ts';
import { hasLiveCard } from '../cards/card-store.ts';
import type { Db } from '../db/database.ts';
import type { CustomerTable } from '../db/schema.ts';
import { betweenCustomerCharges } from '../payments/customer-lease.ts';
import { ensureCustomer, getCustomer, updateCustomer, type CustomerChanges } from './customer-store.ts';

export async function changeCustomer(db: Db, groupId: string, customer: string, body: z.output<typeof CustomerUpdate>, now: Date): Promise<CustomerTable> {
  // A refusal or new limits is what a charge's checks read: made between the customer's charges, as a
  // mandate's cancellation is, so a charge at the processor is recorded before the change is answered
  // and none begun after it goes ahead.
  const readByCharges = body.status === 'deny' || body.limits !== undefined;
  return readByCharges
    ? betweenCustomerCharges({ db }, groupId, customer, () => change(db, groupId, customer, body, now))
    : change(db, groupId, customer, body, now);
}

function change(db: Db, groupId: string, customer: string, body: z.output<typeof CustomerUpdate>, now: Date): Promise<CustomerTable> {
  return db.transaction().execute(async (trx) => {
    const row = await ensureCustomer(trx, groupId, customer, now);
    const changes: CustomerChanges = {};
    if (body.status === 'deny') changes.status = 'deny';
    // Lifting a refusal leaves a customer with saved cards a member.
    if (body.status === 'none') changes.status = row.default_card || (await hasLiveCard(trx, groupId, customer)) ? 'member' : 'none';
    if (body.email !== undefined) changes.email = body.email;
    if (body.phone !== undefined) changes.phone = body.phone;
    if (body.limits?.daily !== undefined) changes.limit_daily = body.limits.daily;
    if (body.limits?.weekly !== undefined) changes.limit_weekly = body.limits.weekly;
    if (body.locale !== undefined) changes.locale = body.locale;
    await updateCustomer(trx, groupId, customer, changes, now);
    return (await getCustomer(trx, groupId, customer))!;
  });
}
