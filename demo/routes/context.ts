// What every page module of the demo shop shares: built once per app by demo/server.ts.
import type { Context } from 'hono';
import { CustomerNumber } from '../../protocol/api.ts';
import type { FieldsConfig } from '../fields-parts.ts';
import type { PageContext } from '../layout.ts';
import type { VaultClient } from '../vault-connection.ts';
import type { WebhookInbox } from '../webhook-inbox.ts';

export interface ShopContext {
  /** card-vault/server's client, holding the merchant's secret key; never rendered into a page. */
  vault: VaultClient;
  /** The vault's public origin as pages load it (checkout.js, the fields' iframe). */
  vaultUrl: string;
  /** The only key a page may carry. */
  publishableKey: string;
  /** Where customers open the shop (origin only). */
  shopOrigin: string;
  inbox: WebhookInbox;
  /** Remembers what an order number was for, and looks it up when the order is confirmed. */
  orders: { remember(order: string, item: string): void; get(order: string): string | undefined };
  /** Sets or clears the session cookie: the demo's sign-in is a customer number, no password. */
  signIn(c: Context, customer: string): void;
  signOut(c: Context): void;
  /** The signed-in customer (from a valid cookie only) and the page's path, for the layout. */
  pageContext(c: Context): PageContext;
  /** What the page hands the vault's fields: the publishable key and the session's client secret. */
  fieldsConfig(clientSecret: string, locale: FieldsConfig['locale']): FieldsConfig;
  /** To /sign-in, coming back to this page afterwards. */
  signInFirst(c: Context): Response;
  /** The vault refused or could not be reached: say so plainly, with the vault's own message. */
  vaultFailure(c: Context, err: unknown, title: string, back?: { href: string; label: string }): Response;
}

export const CARD_TOKEN = /^card_[A-Za-z0-9_-]{1,64}$/;
export const MANDATE_ID = /^mdt_[A-Za-z0-9_-]{1,64}$/;

export function isCustomerNumber(value: unknown): value is string {
  return typeof value === 'string' && CustomerNumber.safeParse(value).success;
}
