// The shop's front page: the products and what each demo page shows.
import { Hono } from 'hono';
import { homePage } from '../pages/home.ts';
import type { ShopContext } from './context.ts';

export function homeRoutes(shop: ShopContext): Hono {
  const app = new Hono();
  app.get('/', (c) => c.html(homePage(shop.pageContext(c))));
  return app;
}
