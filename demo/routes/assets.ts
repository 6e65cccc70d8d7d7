// The shop's stylesheet and page scripts, read once when the app is built.
import fs from 'node:fs';
import path from 'node:path';
import { Hono } from 'hono';

const DEMO_DIR = path.join(import.meta.dirname, '..');

function readClientScripts(): Map<string, string> {
  const dir = path.join(DEMO_DIR, 'client');
  return new Map(
    fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.js'))
      .map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]),
  );
}

export function assetRoutes(): Hono {
  const scripts = readClientScripts();
  const css = fs.readFileSync(path.join(DEMO_DIR, 'shop.css'), 'utf8');
  const app = new Hono();
  // Browsers ask for an icon on every visit: the shop has none, and says so without a 404 in the console.
  app.get('/favicon.ico', (c) => c.body(null, 204, { 'Cache-Control': 'public, max-age=86400' }));
  app.get('/shop.css', (c) => c.body(css, 200, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'no-cache' }));
  app.get('/client/:file', (c) => {
    const body = scripts.get(c.req.param('file'));
    if (body === undefined) return c.text('Not found', 404);
    return c.body(body, 200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-cache' });
  });
  return app;
}
