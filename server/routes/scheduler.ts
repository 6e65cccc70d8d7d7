// POST /v1/scheduler/run: one pass of the scheduler at once, for tests and operators, limited to the
// calling merchant (its invoices, and its group's cards and mandates).
import { createRoute } from '@hono/zod-openapi';
import { SchedulerRun, SchedulerRunRequest } from '../../protocol/api.ts';
import { runSchedulerPass } from '../jobs/scheduler.ts';
import { errors, jsonBody, jsonContent, router, secured } from './openapi.ts';

const run = createRoute({ method: 'post', path: '/v1/scheduler/run', security: secured, summary: 'Run one scheduler pass now, optionally as of another time', request: jsonBody(SchedulerRunRequest), responses: { 200: jsonContent(SchedulerRun, 'What the pass did'), 400: errors[400] } });

export const schedulerRoutes = router().openapi(run, async (c) => {
  const { now } = c.req.valid('json');
  const deps = c.get('deps');
  return c.json(await runSchedulerPass(deps, { now: now ? new Date(now) : undefined, merchantId: c.get('merchant').id }), 200);
});
