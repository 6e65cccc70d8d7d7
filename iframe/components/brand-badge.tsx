// The card brand as a small text badge (the contract's brand name, set in capitals by the
// stylesheet): no image requests, nothing the page's CSP must allow, a few bytes.
export function BrandBadge({ brand, hidden }: { brand: string; hidden?: boolean }) {
  const known = brand && brand !== 'unknown';
  return (
    <span class={`cv-brand cv-brand--${known ? brand : 'unknown'}`} aria-hidden={hidden || !known ? 'true' : undefined}>
      {known ? brand : ''}
    </span>
  );
}
