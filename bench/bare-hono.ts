// The reference server: a bare Hono app on @hono/node-server, the ceiling the vault's paths are compared with.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const app = new Hono();
// POST parses its JSON body, as every vault POST does, so the comparison charges both sides for it.
app.post('/', async (c) => {
  await c.req.json();
  return c.json({ ok: true });
});
app.get('/', (c) => c.json({ ok: true }));

const port = Number(process.env.PORT ?? 4100);
const hostname = process.env.HOST ?? '127.0.0.1';
const server = serve({ fetch: app.fetch, port, hostname }, () => {
  process.stdout.write(`bare hono listening on http://${hostname}:${port}\n`);
});

const stop = () => server.close(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
