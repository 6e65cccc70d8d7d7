// The merchant's dashboard: its staff (passwords only as Argon2id hashes, set through a one-time link
// whose token is stored only as a hash), their sessions (the cookie's token only as a hash) and the
// audit log of what each person did.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('staff_users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull())
    // Lower-cased on the way in: one person, one row per merchant, however they type it.
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    // Argon2id (PHC string); null until the person sets a password through their link.
    .addColumn('password_hash', 'text')
    // SHA-256 of the one-time set-password token and when it stops working; both null once used.
    .addColumn('link_token_hash', 'text')
    .addColumn('link_expires_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('staff_users_email').on('staff_users').columns(['merchant_id', 'email']).unique().execute();
  await db.schema.createIndex('staff_users_sign_in').on('staff_users').column('email').execute();
  await db.schema.createIndex('staff_users_link').on('staff_users').column('link_token_hash').unique().execute();

  await db.schema
    .createTable('staff_sessions')
    // SHA-256 of the cookie's token: a copy of the database signs no one in.
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('staff_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('staff_sessions_staff').on('staff_sessions').column('staff_id').execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull())
    .addColumn('staff_id', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target', 'text')
    // JSON object: what changed, never a secret.
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_log_merchant').on('audit_log').columns(['merchant_id', 'created_at']).execute();
}
