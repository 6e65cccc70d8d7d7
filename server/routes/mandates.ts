// Recurring and card-on-file agreements: list, record one given elsewhere, cancel.
import { router } from './openapi.ts';

export const mandateRoutes = router();
