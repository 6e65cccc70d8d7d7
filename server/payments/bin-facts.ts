// What the vault shows about a card's issuer before any provider has said more: a small table of
// ranges, read locally (no call to a processor). A real provider's approval may name the issuer and
// country itself (AuthorizeResult.card); that takes precedence when a card is saved.
import type { CardFacts } from './processor.ts';

export interface BinInfo {
  issuer: string;
  country: string;
}

export function binFacts(bin: string, fromProvider?: CardFacts): BinInfo {
  const local = localFacts(bin);
  return { issuer: fromProvider?.issuer || local.issuer, country: fromProvider?.country || local.country };
}

function localFacts(bin: string): BinInfo {
  if (bin.startsWith('4')) return { issuer: 'Simulated Visa Bank', country: 'US' };
  if (bin.startsWith('5') || bin.startsWith('2')) return { issuer: 'Simulated Mastercard Bank', country: 'US' };
  if (bin.startsWith('34') || bin.startsWith('37')) return { issuer: 'American Express', country: 'US' };
  return { issuer: 'Simulated Bank', country: 'US' };
}
