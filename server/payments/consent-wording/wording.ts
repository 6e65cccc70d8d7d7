// What one language's wording of a recurring agreement's consent is.

export interface ConsentWording {
  /** The merchant's name set apart in the language's quotation marks, so it cannot pass for the terms. */
  quote: (name: string) => string;
  agreement: (v: { merchant: string; amounts: string; frequency: string; end: string }) => string;
  daily: string;
  /**
   * Every N days, by the plural category `Intl.PluralRules` gives N in the language (`{n}` is N). `other`
   * serves any category the language leaves out; 1 is `daily`, whatever its category.
   */
  everyDays: Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };
  /** `frequency_days: 0`: an unscheduled card-on-file agreement. */
  whenever: string;
}
