// /checkout: the vault's fields and the shop's "Pay" button.
import { runFieldsPage } from './fields-page.js';

runFieldsPage({ busyLabel: 'Paying…' });
