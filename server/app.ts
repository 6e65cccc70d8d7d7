// The vault's Hono app: one router per resource, composed behind the middleware each family needs.
import { OpenAPIHono } from '@hono/zod-openapi';
import { createRoute } from '@hono/zod-openapi';
import { Health } from '../protocol/api.ts';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv, Deps } from './context.ts';
import { settled } from './db/database.ts';
import { ApiError, errorResponse, fromZodError } from './errors.ts';
import { currentKeyOnly } from './middleware/current-key.ts';
import { apiKey } from './middleware/api-key.ts';
import { frameAuth } from './middleware/frame-auth.ts';
import { idempotencyKey } from './middleware/idempotency.ts';
import { jsonBody } from './middleware/json-body.ts';
import { keyRequired } from './middleware/key-required.ts';
import { merchantRateLimit } from './middleware/rate-limit.ts';
import { requestLog } from './middleware/request-log.ts';
import { securityHeaders } from './middleware/security-headers.ts';
import { assetRoutes, versionedCheckout } from './pages/assets.ts';
import { docsPage } from './pages/docs-page.ts';
import { fieldsPage } from './pages/fields-page.ts';
import { threeDsPage } from './pages/three-ds-page.ts';
import { cardRoutes } from './routes/cards.ts';
import { chargeRoutes } from './routes/charges.ts';
import { customerRoutes } from './routes/customers.ts';
import { eventRoutes } from './routes/events.ts';
import { frameRoutes } from './routes/frame.ts';
import { invoiceRoutes } from './routes/invoices.ts';
import { mandateRoutes } from './routes/mandates.ts';
import { messageRoutes } from './routes/messages.ts';
import { schedulerRoutes } from './routes/scheduler.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { processorWebhookRoutes } from './routes/processor-webhooks.ts';
import { merchantRoutes } from './routes/merchant.ts';
import { sessionRoutes } from './routes/sessions.ts';
import { forwardRoutes } from './routes/forward.ts';
import { completeDocument } from './openapi-document.ts';
import { dashboardRoutes } from './dashboard/routes.ts';
import { dashboardApi } from './dashboard/api.ts';
import { refuseNul } from './middleware/refuse-nul.ts';

const health = createRoute({
  method: 'get',
  path: '/health',
  operationId: 'health',
  summary: 'Check that the vault is up',
  security: [],
  responses: { 200: { description: 'The vault answers', content: { 'application/json': { schema: Health } } } },
});

export function createApp(deps: Deps) {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw fromZodError(result.error, (result as { data?: unknown }).data);
    },
  });

  app.use('*', async function provideDeps(c, next) {
    c.set('deps', deps);
    await next();
    // No answer about a commit that a power cut could still take back (see settled()).
    await settled(deps.db);
  });
  app.use('*', requestLog());
  // Before any refusal, so that every answer carries them (the NUL refusal just below included).
  app.use('*', securityHeaders());
  app.use('*', refuseNul());
  app.openapi(health, (c) => c.json({ status: 'ok' as const }, 200));
  // Browsers ask every origin for an icon; the vault has none to show, and says so without a 404.
  app.get('/favicon.ico', (c) => c.body(null, 204, { 'Cache-Control': 'public, max-age=86400' }));

  app.use('/v1/*', apiKey(), currentKeyOnly(), merchantRateLimit(), jsonBody(), idempotencyKey({ required: keyRequired }));
  app.use('/frame/v1/*', frameAuth(), jsonBody());

  const routes = app
    .route('/', merchantRoutes)
    .route('/', sessionRoutes)
    .route('/', forwardRoutes)
    .route('/', customerRoutes)
    .route('/', cardRoutes)
    .route('/', chargeRoutes)
    .route('/', eventRoutes)
    .route('/', mandateRoutes)
    .route('/', invoiceRoutes)
    .route('/', schedulerRoutes)
    .route('/', messageRoutes)
    .route('/', webhookRoutes)
    .route('/', processorWebhookRoutes)
    .route('/', frameRoutes)
    .route('/', threeDsPage)
    .route('/', fieldsPage)
    .route('/', docsPage)
    .route('/', assetRoutes);
  // Server-rendered forms for the merchant's staff: outside /v1, so no API key, JSON body or idempotency.
  // Its JSON API first: it answers in the contract's error shape, and acts through /v1 itself.
  app.route(
    '/',
    dashboardApi((request, env) => app.fetch(request, env)),
  );
  app.route('/', dashboardRoutes);

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', description: 'Your secret key, sk_test_…' });
  app.openAPIRegistry.registerComponent('securitySchemes', 'clientSecret', {
    type: 'http',
    scheme: 'bearer',
    description: "The session's client secret (the fields' iframe only)",
  });
  // Built once: the routes cannot change while the vault runs.
  let document: object | undefined;
  app.get('/openapi.json', (c) => {
    document ??= completeDocument(
      app.getOpenAPI31Document({
        openapi: '3.1.0',
        info: {
          title: 'Card vault API',
          // The API's version, as its paths name it (/v1): Redoc shows it beside the title.
          version: 'v1',
          description: 'Amounts are integers in minor units; every error is { error: { type, code, message, param? } }.',
        },
      }),
      deps.publicUrl,
    );
    return c.json(document);
  });

  // The path is not echoed: a caller could have put a card number in it.
  app.notFound((c) => versionedCheckout(c) ?? errorResponse(c, new ApiError('resource_missing', `No such endpoint for ${c.req.method}; see /openapi.json`)));
  app.onError((err, c) => {
    if (err instanceof ApiError) return errorResponse(c, err);
    if (err instanceof HTTPException && err.status === 400) return errorResponse(c, new ApiError('body_not_json', 'The request body is not valid JSON'));
    if (err instanceof HTTPException && err.status === 413) return errorResponse(c, new ApiError('body_too_large', 'The request body is larger than 1 MB'));
    // PostgreSQL refuses text it cannot store (a NUL byte): that is bad input, not a server fault.
    if (['22021', '22P05'].includes((err as { code?: string }).code ?? ''))
      return errorResponse(c, new ApiError('parameter_invalid', 'A parameter contains a character that cannot be stored (such as a NUL byte)'));
    deps.logger.error({ err, method: c.req.method, path: c.req.path }, 'unexpected error');
    return errorResponse(c, new ApiError('internal', 'An unexpected error occurred; it has been logged'));
  });
  return routes;
}

export type AppType = ReturnType<typeof createApp>;
