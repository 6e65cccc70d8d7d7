// The shop server's connection to the vault: the SDK's client (card-vault/server) with the shop's
// secret key, which stays on this server. The SDK is imported from its source, not by the package
// name: `card-vault/server` resolves to dist/, which is not in the repository and is built only by
// `npm run build` (npm start runs it, but only after this module was loaded); the typecheck of a
// clean clone, the tests that start the shop and `tsx demo/main.ts` would find no dist/ to import.
import { createVaultClient, VaultError, type VaultClient } from '../sdk/server-client.ts';

export { VaultError, type VaultClient };

/** The vault could not be reached at all, even after the SDK's retries. */
export class VaultUnreachable extends Error {
  override readonly name = 'VaultUnreachable';
}

export interface VaultConnectionOptions {
  vaultUrl: string;
  secretKey: string;
  /** How the server reaches the vault; tests hand it the vault's `app.request`. */
  fetch?: typeof fetch;
}

export function connectVault(options: VaultConnectionOptions): VaultClient {
  const base = options.fetch ?? fetch;
  return createVaultClient({
    baseUrl: options.vaultUrl,
    secretKey: options.secretKey,
    fetch: (request) =>
      base(request).catch((err: Error) => {
        throw new VaultUnreachable(`The card vault at ${options.vaultUrl} cannot be reached (${err.message})`);
      }),
  });
}

/** What a page says when the vault refused or was not there: its status for the shopper, code and message. */
export function vaultProblem(err: unknown): { status: number; code: string; message: string } | undefined {
  if (err instanceof VaultUnreachable)
    return { status: 502, code: 'vault_unreachable', message: 'The card vault cannot be reached. Please try again shortly.' };
  if (!(err instanceof VaultError)) return undefined;
  const status = err.status >= 500 ? 502 : err.status === 404 ? 404 : 400;
  return { status, code: err.code, message: err.message };
}
