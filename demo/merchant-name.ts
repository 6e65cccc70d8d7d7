// The merchant at the vault should carry the shop's name: the consent in the fields ("…recurring
// payments to “Bean & Kettle”…") and the vault's messages to customers name the merchant, not the page.
// The shop only reads it: the keys it is given may be any merchant's, and that merchant's name is not
// the shop's to change. npm start's own test merchant is created under it (scripts/test-merchant.ts).
import { SHOP_NAME } from './catalog.ts';
import type { VaultClient } from './vault-connection.ts';

/** The merchant's name when it is not the shop's, so that the start can say what customers will read. */
export async function otherMerchantName(vault: VaultClient): Promise<string | undefined> {
  const { data: merchant } = await vault.GET('/v1/merchant');
  return merchant.name === SHOP_NAME ? undefined : merchant.name;
}
