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

/** `isolate` in a right-to-left language; elsewhere values go in as they are. */
export const isolatorFor = (locale: Locale): ((value: string) => string) => (RTL_LOCALES.includes(locale) ? isolate : (value) => value);
