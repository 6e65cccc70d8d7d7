// The four statements a guest's new-card confirmation sends to PostgreSQL, as the vault sends them: the
// confirmation's floor (bench/confirm-floor.ts) sends these texts, and test/server/bench-floors.test.ts
// fails when the vault's own confirmation no longer sends exactly them.

/** frame auth: the session the client secret names. */
export const READ_SESSION = 'select * from "sessions" where "id" = $1';

/** open → processing, with its attempt (relaxed, as for the simulated processor). */
export const CLAIM_SESSION =
  'update "sessions" set "attempt" = $1, "processing_since" = $2, "status" = $3 ' +
  'where "id" = $4 and "status" = $5 and "failed_attempts" < $6 and "expires_at" > $7';

/** The simulated processor's record of the authorisation (relaxed). */
export const RECORD_OPERATION =
  'insert into "simulated_operations" ("reference", "kind", "result", "created_at") values ($1, $2, $3, $4) on conflict ("reference") do nothing';

export const CHARGE_COLUMNS = [
  ...['id', 'merchant_id', 'group_id', 'customer', 'card_token', 'card_masked', 'amount', 'currency', 'order_ref', 'initiator', 'mandate_id'],
  ...['session_id', 'status', 'network_transaction_id', 'failure_code', 'failure_message', 'decline_code', 'amount_refunded', 'processor_ref'],
  ...['created_at', 'processor_id', 'processor_response', 'processor'],
];
/** An event's columns; `delivery` is given as `none` and kept only when the merchant has no webhook URL. */
export const EVENT_COLUMNS = ['id', 'merchant_id', 'group_id', 'type', 'data', 'created_at', 'delivery', 'attempts'];
export const COMPLETED_SESSION_COLUMNS = [
  'charge_id',
  'card_token',
  'card_masked',
  'saved',
  'completed_at',
  'mandate_id',
  'attempt',
  'processing_since',
  'status',
];

/**
 * The outcome, one statement (server/db/write-batch.ts): the charge, its event, the session completed
 * (exactly one row, or the whole statement is undone), the session's event. Its values: the charge's
 * columns, the event's with the merchant's id after `delivery`, the session's columns then its id and
 * `processing`, the second event's.
 */
export function outcomeStatement(): string {
  let n = 0;
  const marks = (count: number) => Array.from({ length: count }, () => `$${++n}`).join(', ');
  const quoted = (columns: string[]) => columns.map((c) => `"${c}"`).join(', ');
  const event = () => {
    const values = marks(6);
    const delivery = `(select case when "webhook_url" is null then $${++n} end as "delivery" from "merchants" where "id" = $${++n})`;
    return `insert into "events" (${quoted(EVENT_COLUMNS)}) values (${values}, ${delivery}, $${++n}) returning 1`;
  };
  const charge = `insert into "charges" (${quoted(CHARGE_COLUMNS)}) values (${marks(CHARGE_COLUMNS.length)}) returning 1`;
  const paid = event();
  const sets = COMPLETED_SESSION_COLUMNS.map((c) => `"${c}" = $${++n}`).join(', ');
  const session = `update "sessions" set ${sets} where "id" = $${++n} and "status" = $${++n} returning 1`;
  const completed = event();
  return (
    `with w0 as (${charge}), w1 as (${paid}), w2 as (${session}), w3 as (${completed}) ` +
    'select (select count(*) from w0) as w0, (select count(*) from w1) as w1, ' +
    `vault_expect_rows((select count(*) from w2), 1, 'write 2') as w2, (select count(*) from w3) as w3`
  );
}
