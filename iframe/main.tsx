// The fields' entry point: the vault's page names, on <html>, the embedding origin, its own URL and
// the texts of the locale the page asked for; the App renders once the page's init parameters
// bring the session (early, through the page's inline script and `window.cvBoot`, or by the RPC).
import type { Boot } from './boot-script.ts';
import { startFields } from './fields-frame.tsx';
import { addTexts } from './i18n.ts';

const { hostOrigin, vault, locale, texts } = document.documentElement.dataset;
if (texts) addTexts(locale, JSON.parse(texts));
const container = document.getElementById('app');
const boot = (window as unknown as { cvBoot?: Boot }).cvBoot;
if (hostOrigin && vault && container) startFields({ hostOrigin, vault, container, boot });
