// The endpoints only the fields' iframe calls (frameAuth guards them): read the session with the
// customer's saved cards, confirm, delete a saved card, answer a 3-D Secure challenge.
import { createRoute } from '@hono/zod-openapi';
import {
  CardDeleted,
  FrameChallengeAnswer,
  FrameChallengeResult,
  FrameConfirm,
  FrameConfirmResult,
  FrameDeleteCard,
  FrameSession,
  FrameSessionRequest,
  IdParam,
} from '../../protocol/api.ts';
import { deleteCardInFields } from '../cards/delete-card.ts';
import { answerSessionChallenge } from '../payments/challenges.ts';
import { confirmSession } from '../payments/confirm-session.ts';
import { frameSession } from '../sessions/frame-session.ts';
import { errors, jsonBody, jsonContent, router } from './openapi.ts';

const frameSecurity = [{ clientSecret: [] as string[] }];
const tags = ['Fields (iframe only)'];

const read = createRoute({
  method: 'post',
  path: '/frame/v1/session',
  operationId: 'frameSession',
  summary: 'Fields: read the session they show',
  tags,
  security: frameSecurity,
  request: jsonBody(FrameSessionRequest),
  responses: {
    200: jsonContent(FrameSession, 'The open session as the fields show it'),
    403: errors[403],
    404: errors[404],
    410: errors[410],
    429: errors[429],
  },
});
const confirm = createRoute({
  method: 'post',
  path: '/frame/v1/confirm',
  operationId: 'frameConfirm',
  summary: 'Fields: pay, or save the card',
  tags,
  security: frameSecurity,
  request: jsonBody(FrameConfirm),
  responses: {
    200: jsonContent(FrameConfirmResult, 'Succeeded, or a 3-D Secure challenge to pass first'),
    400: errors[400],
    403: errors[403],
    429: errors[429],
  },
});
const removeCard = createRoute({
  method: 'post',
  path: '/frame/v1/cards/delete',
  operationId: 'frameDeleteCard',
  summary: 'Fields: delete a saved card',
  tags,
  security: frameSecurity,
  request: jsonBody(FrameDeleteCard),
  responses: { 200: jsonContent(CardDeleted, 'The card is deleted'), 404: errors[404] },
});
const challenge = createRoute({
  method: 'post',
  path: '/frame/v1/challenges/{id}',
  operationId: 'frameChallenge',
  summary: 'Fields: finish a 3-D Secure challenge',
  tags,
  security: frameSecurity,
  request: { params: IdParam, ...jsonBody(FrameChallengeAnswer) },
  responses: { 200: jsonContent(FrameChallengeResult, 'The challenge after this answer'), 404: errors[404] },
});

export const frameRoutes = router()
  .openapi(read, async (c) => {
    const locale = c.req.valid('json').locale;
    return c.json(await frameSession(c.get('deps'), c.get('merchant'), c.get('session'), locale), 200);
  })
  .openapi(confirm, async (c) =>
    c.json(await confirmSession(c.get('deps'), c.get('merchant'), c.get('session'), c.req.valid('json'), { hostOrigin: c.get('hostOrigin') }), 200),
  )
  .openapi(removeCard, async (c) => {
    const { token } = c.req.valid('json');
    const { db, clock } = c.get('deps');
    await deleteCardInFields(db, { merchantId: c.get('merchant').id, session: c.get('session'), token, now: clock() }, c.get('deps'));
    return c.json({ token, deleted: true as const }, 200);
  })
  .openapi(challenge, async (c) => {
    const answer = await answerSessionChallenge(c.get('deps'), c.get('session'), c.req.valid('param').id, c.req.valid('json').code);
    return c.json(answer, 200);
  });
