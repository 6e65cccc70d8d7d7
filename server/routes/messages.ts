// The outbox of messages sent to customers, as the demo shows it.
import { router } from './openapi.ts';

export const messageRoutes = router();
