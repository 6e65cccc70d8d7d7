// The dashboard's JSON API under /dashboard/api: who is signed in, the audit log, the overview's
// figures, and every /v1 read and allowed change through the routes themselves (v1-proxy.ts).
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ZodType } from 'zod';
import { AuditQuery, OverviewQuery } from '../../protocol/api.ts';
import { ApiError, fromZodError } from '../errors.ts';
import { listAudit } from '../staff/audit.ts';
import { otherAccounts } from '../staff/staff-store.ts';
import { toMeView } from '../staff/staff-view.ts';
import { dashboardApiSession, type DashboardApiEnv } from './api-session.ts';
import { merchantOverview } from './overview.ts';
import { proxyToV1, API_PREFIX, type V1Fetch } from './v1-proxy.ts';

/** The request's query, as the schema reads it; a 400 in the contract's shape otherwise. */
function validQuery<T>(schema: ZodType<T>, query: Record<string, string>): T {
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
    const session = c.get('staffSession');
    const merchant = c.get('staffMerchant');
    return c.json(toMeView(session, merchant, await otherAccounts(c.get('deps').db, session.staff.email, merchant.id)));
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
