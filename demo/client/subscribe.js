// /subscribe: the vault's fields (they show the agreement's consent text) and the "Subscribe" button.
import { runFieldsPage } from './fields-page.js';

runFieldsPage({ busyLabel: 'Subscribing…' });
