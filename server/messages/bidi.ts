// Right-to-left text keeps its order around the values set into it. A shop's name in Latin letters or
// an amount at the start of an Arabic line would otherwise make the line read left to right, and
// digits beside digits can run together. Each value goes in a first-strong isolate (FSI … PDI), the
// plain-text form of `<bdi>`: it is laid out on its own and moves nothing outside it.
import { type Locale, RTL_LOCALES } from '../../protocol/messages.ts';

const FSI = '\u2068';
const PDI = '\u2069';
/** Embeddings, overrides and isolates: one inside a value could close the isolate early or leak out of it. */
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/g;

export const isolate = (value: string) => `${FSI}${value.replace(BIDI_CONTROLS, '')}${PDI}`;

/** A letter of a right-to-left script (Hebrew, Arabic, Syriac, Thaana, N'Ko… and their presentation forms). */
const RTL_LETTER = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff\u{10800}-\u{10fff}\u{1e800}-\u{1efff}]/u;

/**
 * In a right-to-left language every value is isolated. In a left-to-right one only a value holding a
 * right-to-left letter is: a shop named in Arabic would otherwise pull the amounts after it into its
 * own run ("to “500.00$–10.00$ :”متجر" in an English consent), while plain Latin values stay as they
 * are (an isolate is not in the GSM alphabet, and would double an SMS's cost). Control characters go either way.
 */
export const isolatorFor =
  (locale: Locale): ((value: string) => string) =>
  (value) =>
    RTL_LOCALES.includes(locale) || RTL_LETTER.test(value) ? isolate(value) : value.replace(BIDI_CONTROLS, '');
