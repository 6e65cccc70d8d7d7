// The dashboard's JSON API under /dashboard/api: who is signed in, the audit log, the overview's
// figures, and every /v1 read and allowed change through the routes themselves (v1-proxy.ts).
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { ApiError, fromZodError } from '../errors.ts';
import { listAudit } from '../staff/audit.ts';
import { otherAccounts } from '../staff/staff-store.ts';
import { dashboardApiSession, type DashboardApiEnv } from './api-session.ts';
import { merchantOverview, OverviewQuery } from './overview.ts';
import { proxyToV1, API_PREFIX, type V1Fetch } from './v1-proxy.ts';

const AuditQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  starting_after: z.string().max(64).optional(),
});

/** The request's query, as the schema reads it; a 400 in the contract's shape otherwise. */
function validQuery<T>(schema: z.ZodType<T>, query: Record<string, string>): T {
  const parsed = schema.safeParse(query);
  if (!parsed.success) throw fromZodError(parsed.error, query);
  return parsed.data;
}

export function dashboardApi(fetchV1: V1Fetch) {
  const api = new Hono<DashboardApiEnv>();
  api.use(
    `${API_PREFIX}/*`,
    bodyLimit({
      maxSize: 64 * 1024,
      onError: () => {
        throw new ApiError('body_too_large', 'The request body is larger than 64 KB');
      },
    }),
    dashboardApiSession(),
  );

  api.get(`${API_PREFIX}/me`, async (c) => {
    const { staff } = c.get('staffSession');
    const m = c.get('staffMerchant');
    return c.json({
      email: staff.email,
      role: staff.role,
      csrf_token: c.get('staffSession').csrf,
      merchant: { id: m.id, name: m.name, livemode: m.livemode },
      // Where the test-mode switch leads: the person's own accounts at their other shops.
      other_accounts: await otherAccounts(c.get('deps').db, staff.email, m.id),
    });
  });

  api.get(`${API_PREFIX}/audit`, async (c) => {
    return c.json(await listAudit(c.get('deps').db, c.get('staffMerchant').id, validQuery(AuditQuery, c.req.query())));
  });

  api.get(`${API_PREFIX}/overview`, async (c) => {
    const { days } = validQuery(OverviewQuery, c.req.query());
    return c.json(await merchantOverview(c.get('deps'), c.get('staffMerchant'), days));
  });

  api.all(`${API_PREFIX}/v1/*`, proxyToV1(fetchV1));
  api.all(`${API_PREFIX}/*`, () => {
    throw new ApiError('resource_missing', 'No such dashboard endpoint');
  });
  return api;
}
