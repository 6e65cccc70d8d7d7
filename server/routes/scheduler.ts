// POST /v1/scheduler/run: one pass of the scheduler at once, for the calling merchant (its invoices and
// mandates, and its group's cards), always on the vault's own clock. With `now`, a test-mode merchant
// rehearses a pass on another date: the answer says what it would do, and nothing changes.
import { createRoute } from '@hono/zod-openapi';
import { SchedulerRunRequest, SchedulerRunResult } from '../../protocol/api.ts';
import { runSchedulerPass } from '../jobs/scheduler.ts';
import { previewSchedulerPass } from '../jobs/scheduler-preview.ts';
import { errors, jsonBody, jsonContent, router, secured } from './openapi.ts';

const run = createRoute({
  method: 'post',
  path: '/v1/scheduler/run',
  operationId: 'runScheduler',
  security: secured,
  summary: 'Run one scheduler pass now, or rehearse one as of another time (test mode)',
  request: jsonBody(SchedulerRunRequest),
  responses: { 200: jsonContent(SchedulerRunResult, 'What the pass did, or with `now` what it would do'), 400: errors[400] },
});

export const schedulerRoutes = router().openapi(run, async (c) => {
  const { now } = c.req.valid('json');
  const deps = c.get('deps');
  const merchant = c.get('merchant');
  if (now === undefined) return c.json(await runSchedulerPass(deps, { merchantId: merchant.id }), 200);
  return c.json(await previewSchedulerPass(deps, merchant, new Date(now)), 200);
});
