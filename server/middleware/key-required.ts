// The operations that refuse to run without an Idempotency-Key: those that move money or a card out of
// the vault, where a retry without a key could do it twice. The one list: app.ts gives it to the
// idempotency middleware, and those routes declare the header from it (a path not listed does not compile).

/** POST operations, by their OpenAPI path. */
export const KEY_REQUIRED = ['/v1/charges', '/v1/forward'] as const;
export type KeyRequiredPath = (typeof KEY_REQUIRED)[number];

/** For the middleware: whether a POST to this path needs the header. */
export const keyRequired = (path: string): boolean => (KEY_REQUIRED as readonly string[]).includes(path);

/** Spread into createRoute: a POST to a listed path, with the header declared required in the OpenAPI document. */
export function keyRequiredPost<P extends KeyRequiredPath>(path: P) {
  return {
    method: 'post' as const,
    path,
    parameters: [
      {
        name: 'Idempotency-Key',
        in: 'header' as const,
        required: true,
        description: 'Required here: a retry with the same key within 24 hours gets the first answer instead of running again',
        schema: { type: 'string' as const, minLength: 1, maxLength: 255 },
      },
    ],
  };
}
