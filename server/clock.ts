// The clock every module asks for the time, and the calendar arithmetic done on it. Dates are UTC
// calendar days written YYYY-MM-DD: end dates, due dates, frequencies and daily limits count in them.

export type Clock = () => Date;

export const DAY_MS = 86_400_000;

/** The UTC calendar date of a time (a Date, or an ISO string whose first ten characters are its date). */
export const dayOf = (time: Date | string) => (typeof time === 'string' ? time : time.toISOString()).slice(0, 10);

/** Midnight UTC at the start of a time's calendar day. */
export const startOfDay = (time: Date | string) => new Date(`${dayOf(time)}T00:00:00Z`);

/** Whole calendar days from one date (YYYY-MM-DD or ISO time) to another. */
export const daysBetween = (from: string, to: string) => Math.round((startOfDay(to).getTime() - startOfDay(from).getTime()) / DAY_MS);

/** The date `days` calendar days after (or, negative, before) a date. */
export const addDays = (day: string, days: number) => dayOf(new Date(startOfDay(day).getTime() + days * DAY_MS));
