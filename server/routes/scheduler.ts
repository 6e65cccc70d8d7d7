// POST /v1/scheduler/run: one pass of the scheduler at once, for tests and operators.
import { router } from './openapi.ts';

export const schedulerRoutes = router();
