// Request and response shapes of the HTTP API, the contract merchants program against (docs/api.md): the zod
// validators of protocol/schemas/ (one file a resource), gathered. The server validates with them and
// publishes them as OpenAPI. Code without zod (the iframe, the widget) imports protocol/types.ts instead.
// schemas/dashboard.ts is the dashboard's own API (/dashboard/api), outside that contract and its OpenAPI.
export * from './schemas/common.ts';
export * from './schemas/errors.ts';
export * from './schemas/merchant.ts';
export * from './schemas/forward.ts';
export * from './schemas/sessions.ts';
export * from './schemas/customers.ts';
export * from './schemas/cards.ts';
export * from './schemas/charges.ts';
export * from './schemas/frame.ts';
export * from './schemas/mandates.ts';
export * from './schemas/invoices.ts';
export * from './schemas/scheduler.ts';
export * from './schemas/messages.ts';
export * from './schemas/events.ts';
export * from './schemas/webhooks.ts';
export * from './schemas/dashboard.ts';
export { HOST_ORIGIN_HEADER } from './types.ts';
