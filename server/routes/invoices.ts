// Invoices, paid automatically from the customer's default card before they are due.
import { router } from './openapi.ts';

export const invoiceRoutes = router();
