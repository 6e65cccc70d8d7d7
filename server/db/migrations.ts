// One ordered set of migrations for both databases, run at every start before the server listens.
// Each lives in migrations/NNNN-name.ts; the list is static so that tsx, vitest and any bundler see it.
import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import * as initial from './migrations/0001-initial.ts';
import * as confirmAttempts from './migrations/0002-confirm-attempts.ts';
import * as cardOnFile from './migrations/0003-card-on-file.ts';
import * as chargeLeases from './migrations/0004-charge-leases.ts';
import * as cardImports from './migrations/0005-card-imports.ts';
import * as idempotencyHolders from './migrations/0006-idempotency-holders.ts';
import * as mandateCurrency from './migrations/0007-mandate-currency.ts';
import * as cardCvcFailures from './migrations/0008-card-cvc-failures.ts';
import * as processors from './migrations/0009-processors.ts';
import * as forwardDestinations from './migrations/0010-forward-destinations.ts';
import * as staff from './migrations/0011-staff.ts';
import * as sessionMerchantName from './migrations/0012-session-merchant-name.ts';
import * as keyRollAndLists from './migrations/0013-key-roll-and-lists.ts';
import * as batchedWrites from './migrations/0014-batched-writes.ts';
import * as forwardCvcAnswer from './migrations/0015-forward-cvc-answer.ts';
import * as invoicePendingRef from './migrations/0016-invoice-pending-ref.ts';
import * as invoicePendingCheck from './migrations/0017-invoice-pending-check.ts';
import * as messageFailureClasses from './migrations/0018-message-failure-classes.ts';
import * as refundLookups from './migrations/0019-refund-lookups.ts';
import * as disputeEventTimes from './migrations/0020-dispute-event-times.ts';
import * as guestChargeIndexes from './migrations/0021-guest-charge-indexes.ts';
import * as chargeProcessor from './migrations/0022-charge-processor.ts';
import * as challengeCardToken from './migrations/0023-challenge-card-token.ts';
import * as cardNumberLength from './migrations/0024-card-number-length.ts';
import * as invoiceDeclineCode from './migrations/0025-invoice-decline-code.ts';
import * as invoicePendingCard from './migrations/0026-invoice-pending-card.ts';
import * as disputeAmountBigint from './migrations/0027-dispute-amount-bigint.ts';

export { backfillMandateCurrency } from './migrations/0007-mandate-currency.ts';
export { backfillPendingRefs } from './migrations/0016-invoice-pending-ref.ts';
export { classifyRecordedFailures, classOf } from './migrations/0018-message-failure-classes.ts';

// The keys are the names kysely records in kysely_migration: an existing database must find each of
// its recorded names here, in this order, so they never change. A new migration takes the next number.
const migrations: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_confirm_attempts': confirmAttempts,
  '0003_card_on_file': cardOnFile,
  '0004_charge_leases': chargeLeases,
  '0005_card_imports': cardImports,
  '0006_idempotency_holders': idempotencyHolders,
  '0007_mandate_currency': mandateCurrency,
  '0008_card_cvc_failures': cardCvcFailures,
  '0009_processors': processors,
  '0010_forward_destinations': forwardDestinations,
  '0011_staff': staff,
  '0012_session_merchant_name': sessionMerchantName,
  '0013_key_roll_and_lists': keyRollAndLists,
  '0014_batched_writes': batchedWrites,
  '0015_forward_cvc_answer': forwardCvcAnswer,
  '0016_invoice_pending_ref': invoicePendingRef,
  '0017_invoice_pending_check': invoicePendingCheck,
  '0018_message_failure_classes': messageFailureClasses,
  '0019_refund_lookups': refundLookups,
  '0020_dispute_event_times': disputeEventTimes,
  '0021_guest_charge_indexes': guestChargeIndexes,
  '0022_charge_processor': chargeProcessor,
  '0023_challenge_card_token': challengeCardToken,
  '0024_card_number_length': cardNumberLength,
  '0025_invoice_decline_code': invoiceDeclineCode,
  '0026_invoice_pending_card': invoicePendingCard,
  '0027_dispute_amount_bigint': disputeAmountBigint,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Brings the schema up to date; safe to call from several instances at once (kysely locks). */
export async function migrate(db: Kysely<any>): Promise<void> {
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`database migration ${failed ?? ''} failed: ${(error as Error).message ?? error}`);
  }
}
