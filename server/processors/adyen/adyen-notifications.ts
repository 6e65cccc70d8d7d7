// Adyen's standard webhook (`{ live, notificationItems: [{ NotificationRequestItem }] }`), checked
// and read. Every item carries its own HMAC signature (additionalData.hmacSignature), verified with
// the library's hmacValidator and the merchant's HMAC key; one bad item refuses the whole delivery.
// https://docs.adyen.com/development-resources/webhooks/verify-hmac-signatures
import { NotificationSignatureError, type ProcessorNotification, type ProcessorSettings } from '../../payments/processor.ts';
import { hmacValidator, type NotificationRequestItem } from './adyen-library.ts';
import { ADYEN_AMOUNTS, fromProviderUnits } from '../provider-amounts.ts';

type AdyenSettings = Extract<ProcessorSettings, { type: 'adyen' }>;

function itemsOf(rawBody: string): { live: string; items: NotificationRequestItem[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody);
  } catch {
    throw new NotificationSignatureError('the notification is not JSON');
  }
  const body = parsed as { live?: unknown; notificationItems?: unknown };
  if (!body || !Array.isArray(body.notificationItems)) throw new NotificationSignatureError('the notification has no notificationItems');
  const items = body.notificationItems.map((entry) => (entry as { NotificationRequestItem?: NotificationRequestItem })?.NotificationRequestItem);
  if (items.some((item) => !item || typeof item !== 'object' || !item.amount)) throw new NotificationSignatureError('a notification item is malformed');
  return { live: String(body.live), items: items as NotificationRequestItem[] };
}

function verify(items: NotificationRequestItem[], key: string): void {
  const validator = new hmacValidator();
  for (const item of items) {
    let valid = false;
    try {
      valid = validator.validateHMAC(item, key);
    } catch {
      // No hmacSignature on the item (the validator throws), or a key that is not hex.
    }
    if (!valid) throw new NotificationSignatureError();
  }
}

/**
 * Dispute and refund events: a dispute's events share its pspReference; originalReference is the
 * payment's. https://docs.adyen.com/risk-management/disputes-api/dispute-notifications
 */
function toNotification(item: NotificationRequestItem): ProcessorNotification | undefined {
  const success = String(item.success) === 'true';
  const id = `${item.pspReference}:${item.eventCode}:${item.success}`;
  const payment = item.originalReference;
  if (!payment) return undefined;
  const reason = item.reason || undefined;
  // When the event happened at Adyen: a dispute's closings may arrive out of order.
  const time = Date.parse(String(item.eventDate ?? ''));
  const at = Number.isNaN(time) ? {} : { at: new Date(time).toISOString() };
  switch (String(item.eventCode)) {
    case 'REFUND_FAILED':
      return { id, kind: 'refund_failed', payment, refund: item.pspReference, ...(reason ? { reason } : {}) };
    case 'REFUND':
      // A refund Adyen could not even start arrives as REFUND with success false.
      // https://docs.adyen.com/online-payments/refund
      return success ? undefined : { id, kind: 'refund_failed', payment, refund: item.pspReference, ...(reason ? { reason } : {}) };
    case 'NOTIFICATION_OF_CHARGEBACK':
    case 'CHARGEBACK':
      return {
        id,
        kind: 'dispute_opened',
        payment,
        dispute: item.pspReference,
        // In Adyen's minor units (IDR has none there): the vault's are ISO 4217's.
        amount: fromProviderUnits(ADYEN_AMOUNTS, Number(item.amount.value ?? 0), String(item.amount.currency ?? '')),
        currency: String(item.amount.currency ?? ''),
        ...(reason ? { reason } : {}),
      };
    case 'CHARGEBACK_REVERSED':
    case 'PREARBITRATION_WON':
      return { id, kind: 'dispute_closed', payment, dispute: item.pspReference, outcome: 'won', ...(reason ? { reason } : {}), ...at };
    case 'SECOND_CHARGEBACK':
    case 'PREARBITRATION_LOST':
      return { id, kind: 'dispute_closed', payment, dispute: item.pspReference, outcome: 'lost', ...(reason ? { reason } : {}), ...at };
    default:
      return undefined;
  }
}

export function parseAdyenNotifications(settings: AdyenSettings, rawBody: string): ProcessorNotification[] {
  if (!settings.hmac_key) throw new NotificationSignatureError("no HMAC key is set for this merchant's Adyen notifications");
  const { live, items } = itemsOf(rawBody);
  verify(items, settings.hmac_key);
  // A key shared by several merchant accounts (a company-level webhook) signs their items too, and a
  // test account's events are not a live account's: only this account's, in its environment, count.
  if ((live === 'true') !== (settings.environment === 'live')) return [];
  return items
    .filter((item) => item.merchantAccountCode === settings.merchant_account)
    .map(toNotification)
    .filter((n): n is ProcessorNotification => n !== undefined);
}
