// GET/POST /v1/merchant: the authenticated merchant reads and changes its settings, its processor
// account included (the credentials are sealed before they are written and never shown again), and
// rolls its secret key.
import { createRoute } from '@hono/zod-openapi';
import { MerchantSettingsUpdate, MerchantView, RolledSecretKey, RollSecretKey } from '../../protocol/api.ts';
import { rollKeyOnce } from '../merchants/roll-secret-key.ts';
import { changeMerchantSettings } from '../merchants/merchant-settings.ts';
import { toMerchantView } from '../merchants/merchant-view.ts';
import { ownerKey } from '../middleware/current-key.ts';
import { errors, jsonBody, jsonContent, router, secured } from './openapi.ts';

const getMerchant = createRoute({
  method: 'get',
  path: '/v1/merchant',
  operationId: 'getMerchant',
  summary: 'Read your merchant settings',
  security: secured,
  responses: { 200: jsonContent(MerchantView, 'The merchant and its settings'), 401: errors[401] },
});
const updateMerchant = createRoute({
  method: 'post',
  path: '/v1/merchant',
  operationId: 'updateMerchant',
  summary: 'Change your merchant settings',
  security: secured,
  request: jsonBody(MerchantSettingsUpdate),
  responses: { 200: jsonContent(MerchantView, 'The merchant after the change'), 400: errors[400], 401: errors[401], 403: errors[403] },
});
const rollKey = createRoute({
  method: 'post',
  path: '/v1/merchant/roll_secret_key',
  operationId: 'rollSecretKey',
  summary: 'Roll your secret key',
  security: secured,
  request: jsonBody(RollSecretKey),
  responses: { 200: jsonContent(RolledSecretKey, 'The new secret key, shown this once'), 400: errors[400], 401: errors[401], 403: errors[403] },
});

export const merchantRoutes = router()
  .openapi(getMerchant, (c) => c.json(toMerchantView(c.get('merchant'), c.get('deps').clock()), 200))
  .openapi(updateMerchant, async (c) => {
    const deps = c.get('deps');
    const merchant = await changeMerchantSettings(deps, c.get('merchant'), c.req.valid('json'), ownerKey(c));
    return c.json(toMerchantView(merchant, deps.clock()), 200);
  })
  .openapi(rollKey, async (c) => {
    const rolled = await rollKeyOnce(c.get('deps'), c.get('merchant'), c.req.valid('json').previous_key_expires_in_hours, ownerKey(c));
    return c.json(rolled, 200);
  });
