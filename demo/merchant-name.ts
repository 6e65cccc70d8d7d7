// The merchant at the vault carries the shop's name: the consent in the fields ("…recurring payments
// to “Bean & Kettle”…") and the vault's messages to customers name the merchant, not the page, so a
// merchant created under another name (npm start's "Demo shop") is renamed when the shop starts.
import { SHOP_NAME } from './catalog.ts';
import type { VaultClient } from './vault-connection.ts';

export async function useShopName(vault: VaultClient): Promise<void> {
  const { data: merchant } = await vault.GET('/v1/merchant');
  if (merchant.name !== SHOP_NAME) await vault.POST('/v1/merchant', { body: { name: SHOP_NAME } });
}
