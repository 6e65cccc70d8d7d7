// `npm run server`: the vault alone. SIGTERM stops taking requests, lets those in flight finish,
// then closes the database.
import { serve } from '@hono/node-server';
import { parseEnv } from './env.ts';
import { startScheduler } from './jobs/scheduler.ts';
import { startWebhookWorker } from './jobs/webhook-worker.ts';
import { createRuntime } from './vault-runtime.ts';

/** sysexits.h: an input/output error. */
const EX_IOERR = 74;

export async function runServer(env = parseEnv()) {
  // A failed sync of SQLite's log ends the process at once, as PostgreSQL does after a failed fsync:
  // a restart recovers what reached the disk, and nothing more is answered meanwhile.
  const runtime = await createRuntime(env, { onSyncFailure: () => process.exit(EX_IOERR) });
  const { logger } = runtime.deps;
  const server = serve({ fetch: runtime.app.fetch, port: env.PORT, hostname: env.HOST });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', () => resolve());
    server.once('error', reject);
  });
  logger.info(
    {
      url: env.PUBLIC_URL,
      listen: `${env.HOST}:${env.PORT}`,
      database: runtime.deps.dbKind,
      rateLimits: env.REDIS_URL ? 'redis' : 'memory',
      trustProxy: env.TRUST_PROXY ?? 'none',
    },
    'vault listening',
  );
  // Webhooks: a delivery pass every WEBHOOK_INTERVAL_MS (0: off); stopped before the database closes.
  const stopWebhooks = startWebhookWorker(runtime.deps, env.WEBHOOK_INTERVAL_MS);
  // Automatic invoice payments, lapsed mandates, expiring cards: a pass every SCHEDULER_INTERVAL_MS (0: off).
  const scheduler = env.SCHEDULER_INTERVAL_MS > 0 ? startScheduler(runtime.deps, env.SCHEDULER_INTERVAL_MS) : undefined;

  let stopping: Promise<void> | undefined;
  const stop = (signal: string) => {
    stopping ??= (async () => {
      logger.info({ signal }, 'stopping: no new requests, finishing those in flight');
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Idle keep-alive sockets would hold the close open; busy ones finish their request first.
        (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
      });
      await stopWebhooks();
      await scheduler?.stop();
      await runtime.close();
      logger.info('stopped');
    })();
    return stopping;
  };
  process.once('SIGTERM', () => void stop('SIGTERM').then(() => process.exit(0)));
  process.once('SIGINT', () => void stop('SIGINT').then(() => process.exit(0)));
  return { server, runtime, stop };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runServer().catch((err: Error) => {
    console.error(`vault: cannot start: ${err.message}`);
    process.exit(1);
  });
}
