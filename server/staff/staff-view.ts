// Who is signed in, as the dashboard's GET /dashboard/api/me shows it: the person, their shop, the CSRF
// token of their session, and where the test-mode switch leads.
import type { Me, OtherAccount } from '../../protocol/api.ts';
import type { Merchant } from '../merchants/merchant-store.ts';
import type { StaffSession } from './staff-sessions.ts';

export function toMeView(session: StaffSession, merchant: Merchant, otherAccounts: OtherAccount[]): Me {
  return {
    email: session.staff.email,
    role: session.staff.role,
    csrf_token: session.csrf,
    merchant: { id: merchant.id, name: merchant.name, livemode: merchant.livemode },
    // The person's own accounts at their other shops (staff-store.ts otherAccounts).
    other_accounts: otherAccounts,
  };
}
