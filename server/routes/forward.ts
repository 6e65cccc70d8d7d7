// POST /v1/forward: sends a saved card to a destination the vault's operator registered for the
// merchant, and answers what the destination answered (card numbers masked).
import { createRoute } from '@hono/zod-openapi';
import { ForwardCreate, ForwardResponse } from '../../protocol/api.ts';
import { forwardSavedCard } from '../forward/forward-saved-card.ts';
import { keyRequiredPost } from '../middleware/key-required.ts';
import { ErrorSchema, errors, jsonBody, jsonContent, router, secured } from './openapi.ts';

const create = createRoute({
  ...keyRequiredPost('/v1/forward'),
  operationId: 'forwardCard',
  security: secured,
  summary: 'Forward a saved card to a registered destination (Idempotency-Key required)',
  request: jsonBody(ForwardCreate),
  responses: {
    200: jsonContent(ForwardResponse, "The destination's answer: its status, a few safe headers, its body with card numbers masked"),
    400: errors[400],
    402: jsonContent(ErrorSchema, 'card_declined (test_mode_live_card): a test-mode shop, or a plain-http destination, takes test cards only'),
    403: errors[403],
    404: errors[404],
    409: errors[409],
    502: jsonContent(ErrorSchema, 'The destination could not be reached, or answered more than 1 MB'),
    503: jsonContent(ErrorSchema, "The card, or the destination's registered headers, are sealed under a key that is not in the key ring"),
    504: jsonContent(ErrorSchema, 'forward_timeout: the destination did not answer within PROCESSOR_TIMEOUT_MS'),
  },
});

export const forwardRoutes = router().openapi(create, async (c) => c.json(await forwardSavedCard(c.get('deps'), c.get('merchant'), c.req.valid('json')), 200));
