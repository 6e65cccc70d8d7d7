// The fields' entry point: the vault's page names the embedding origin and its own URL on <body>;
// the App renders into #app once the page's `init` message brings the session.
import { startFields } from './fields-frame.tsx';

const { hostOrigin, vault } = document.body.dataset;
const container = document.getElementById('app');
if (hostOrigin && vault && container) startFields({ hostOrigin, vault, container });
