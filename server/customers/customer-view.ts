// A customer as the API shows it: a customer the vault has never seen reads as status `none`.
import type { CustomerListItem, CustomerView } from '../../protocol/api.ts';
import type { CustomerTable } from '../db/schema.ts';

export function toCustomerView(customer: string, row: CustomerTable | undefined): CustomerView {
  const view: CustomerView = { customer, status: row?.status ?? 'none', limits: {} };
  if (row?.email) view.email = row.email;
  if (row?.phone) view.phone = row.phone;
  if (row?.limit_daily != null) view.limits.daily = row.limit_daily;
  if (row?.limit_weekly != null) view.limits.weekly = row.limit_weekly;
  if (row?.default_card) view.default_card = row.default_card;
  // The language of the customer's messages, only when one was chosen.
  if (row?.locale) view.locale = row.locale as CustomerView['locale'];
  return view;
}

/** A customer in the group's list: the view, with its default card's brand and last four when that card is live. */
export function toCustomerListItem(row: CustomerTable, mask: { brand: string; last4: string } | undefined): CustomerListItem {
  const view = toCustomerView(row.customer, row);
  return mask ? { ...view, default_card_details: mask } : view;
}
