// /autopay: the vault's fields in setup mode with a card-on-file agreement, and the shop's button.
import { runFieldsPage } from './fields-page.js';

runFieldsPage({ busyLabel: 'Saving…' });
