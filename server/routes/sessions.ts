// POST /v1/sessions and GET /v1/sessions/:id: checkout sessions made by the merchant's server.
import { createRoute } from '@hono/zod-openapi';
import { CreatedSession, SessionCreate, SessionIdParam, SessionView } from '../../protocol/api.ts';
import { settleStaleAttempt } from '../payments/settle-attempt.ts';
import { getSession, openSession } from '../sessions/session-store.ts';
import { toSessionView } from '../sessions/session-view.ts';
import { errors, jsonBody, jsonContent, router, secured } from './openapi.ts';

const create = createRoute({
  method: 'post',
  path: '/v1/sessions',
  operationId: 'createSession',
  summary: 'Open a checkout session',
  security: secured,
  request: jsonBody(SessionCreate),
  responses: {
    201: jsonContent(CreatedSession, 'The open session with its client secret'),
    400: errors[400],
    401: errors[401],
    403: errors[403],
    409: errors[409],
  },
});
const read = createRoute({
  method: 'get',
  path: '/v1/sessions/{id}',
  operationId: 'getSession',
  summary: 'Read a checkout session',
  security: secured,
  request: { params: SessionIdParam },
  responses: { 200: jsonContent(SessionView, 'The session; once finished, its charge, card and mandate'), 404: errors[404] },
});

export const sessionRoutes = router()
  .openapi(create, async (c) => {
    return c.json(await openSession(c.get('deps'), c.get('merchant'), c.req.valid('json')), 201);
  })
  .openapi(read, async (c) => {
    const deps = c.get('deps');
    const found = await getSession(deps.db, c.get('merchant').id, c.req.valid('param').id);
    // A confirmation whose vault died is settled here too, so the merchant's server sees the truth.
    const row = await settleStaleAttempt(deps, found);
    return c.json(toSessionView(row, deps.clock()), 200);
  });
