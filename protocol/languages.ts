// Which of the vault's languages a page asked for. checkout.js sends what it was given and the
// browser's language, as a list (`auto,fr-FR`): it carries no list of languages, so the vault's page,
// the fields and the server each pick from this one function.
import { LOCALES, type Locale } from './messages.ts';

/** The first tag of a comma-separated list (`pt-BR`, `AR_eg`, `auto,fr-FR`) whose base language the vault speaks. */
export function firstLocale(tags: unknown): Locale | undefined {
  for (const tag of String(tags ?? '').split(',')) {
    const base = tag.trim().toLowerCase().split(/[-_]/)[0] as Locale;
    if (LOCALES.includes(base)) return base;
  }
  return undefined;
}

/** The longest locale list the vault reads (`locale` in the fields' requests): a language tag's 35 characters. */
export const MAX_LOCALE_LIST = 35;
