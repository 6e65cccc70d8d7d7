// The simulated issuer's 3-D Secure: the code a test customer types into the vault's own challenge
// page. Real issuers are reached through a provider's redirect instead (AuthorizeResult 'redirect').
import crypto from 'node:crypto';

export const CHALLENGE_CODE = '123456';

export function verifySimulatedChallenge(code: string): boolean {
  const given = Buffer.from(code);
  return given.length === CHALLENGE_CODE.length && crypto.timingSafeEqual(given, Buffer.from(CHALLENGE_CODE));
}
