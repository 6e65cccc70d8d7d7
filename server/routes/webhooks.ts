// Webhook delivery records and signing-secret rotation.
import { router } from './openapi.ts';

export const webhookRoutes = router();
