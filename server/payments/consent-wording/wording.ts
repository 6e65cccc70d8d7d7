// What one language's wording of a recurring agreement's consent is.

/** The agreement's terms, each already formatted (and isolated where the language needs it). */
export interface AgreementTerms {
  merchant: string;
  amounts: string;
  frequency: string;
  end: string;
}

export interface ConsentWording {
  /** The merchant's name set apart in the language's quotation marks, so it cannot pass for the terms. */
  quote: (name: string) => string;
  /** The agreement given while saving the new card it is made with. */
  agreement: (v: AgreementTerms) => string;
  /** The agreement given with a card the customer saved before: nothing is saved, so the text says only "with this card". */
  savedCardAgreement: (v: AgreementTerms) => string;
  daily: string;
  /**
   * Every N days, by the plural category `Intl.PluralRules` gives N in the language (`{n}` is N). `other`
   * serves any category the language leaves out; 1 is `daily`, whatever its category.
   */
  everyDays: Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };
  /** `frequency_days: 0`: an unscheduled card-on-file agreement. */
  whenever: string;
}
