// /cards/new: the vault's fields in setup mode and the shop's "Save card" button.
import { runFieldsPage } from './fields-page.js';

runFieldsPage({ busyLabel: 'Saving…' });
