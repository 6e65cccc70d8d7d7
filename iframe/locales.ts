// The fields' texts in every locale, each a row in KEYS order (see translations.ts), one file per
// locale under locales/. None is part of frame.js: the vault's page carries the row of the locale it
// was asked for and serves any other on request, so a new language costs the first paint nothing.
import type { Locale } from '../protocol/messages.ts';
import { ar } from './locales/ar.ts';
import { de } from './locales/de.ts';
import { en } from './locales/en.ts';
import { es } from './locales/es.ts';
import { fr } from './locales/fr.ts';
import { it } from './locales/it.ts';
import { ja } from './locales/ja.ts';
import { nl } from './locales/nl.ts';
import { pl } from './locales/pl.ts';
import { pt } from './locales/pt.ts';
import { ru } from './locales/ru.ts';
import { tr } from './locales/tr.ts';
import { textsOf, type Row, type Texts } from './translations.ts';

export const ROWS: Record<Locale, Row> = { en, ru, fr, tr, de, es, it, pt, nl, pl, ja, ar };

export const TRANSLATIONS = Object.fromEntries(Object.entries(ROWS).map(([locale, row]) => [locale, textsOf(row)])) as Record<Locale, Texts>;
