// Customer messages in Polish, addressing the customer as "Ty" like the fields do.
import { mail, type Wording } from './wording.ts';

// A shop's name does not decline: it follows "sklep" or "na rzecz", which keep the sentence grammatical.
export const pl: Wording = {
  payment_approved: (v) => ({
    subject: `Płatność zatwierdzona: ${v.amount}`,
    text: mail(
      'Dzień dobry,',
      [
        `Twoja płatność na kwotę ${v.amount} na rzecz ${v.merchant} kartą zakończoną cyframi ${v.last4} została zatwierdzona.`,
        v.description && `Tytułem: ${v.description}`,
      ],
      `Dziękujemy\n${v.merchant}`,
    ),
    sms: `${v.merchant}: płatność ${v.amount} kartą *${v.last4} zatwierdzona.`,
  }),
  payment_failed: (v) => ({
    subject: v.hasCard
      ? `Wymagane działanie: nie udało się obciążyć Twojej karty zakończonej cyframi ${v.last4}`
      : `Wymagane działanie: nie udało się pobrać płatności na kwotę ${v.amount}`,
    text: mail(
      'Dzień dobry,',
      [
        v.hasCard
          ? `Próbowaliśmy obciążyć Twoją zapisaną kartę zakończoną cyframi ${v.last4} kwotą ${v.amount} na rzecz ${v.merchant}, ` +
            `ale płatność nie została zrealizowana.`
          : `Nie udało się pobrać Twojej płatności na kwotę ${v.amount} na rzecz ${v.merchant}: ` +
            `nie masz zapisanej karty, którą możemy obciążać automatycznie.`,
        v.description && `Tytułem: ${v.description}`,
        v.due && `Termin płatności: ${v.due}.`,
        '',
        v.hasCard
          ? `Upewnij się, że na karcie są wystarczające środki i że jest nadal ważna, ` +
            `albo dodaj inną kartę na swoim koncie w sklepie ${v.merchant}${v.due ? ` do ${v.due}` : ''}. Ponowimy próbę automatycznie.`
          : `Dodaj kartę na swoim koncie w sklepie ${v.merchant}${v.due ? ` do ${v.due}` : ''} lub zapłać w inny sposób.`,
      ],
      `Dziękujemy\n${v.merchant}`,
    ),
    sms: v.hasCard
      ? `${v.merchant}: nie udało się pobrać ${v.amount} z karty *${v.last4}.${v.due ? ` Termin: ${v.due}.` : ''} Zapewnij środki lub zmień kartę.`
      : `${v.merchant}: nie udało się pobrać płatności ${v.amount}.${v.due ? ` Termin: ${v.due}.` : ''} Dodaj kartę.`,
  }),
  card_saved: (v) => ({
    subject: `Twoja karta zakończona cyframi ${v.last4} została zapisana`,
    text: mail(
      'Dzień dobry,',
      [
        `Twoja karta zakończona cyframi ${v.last4} została zapisana w sklepie ${v.merchant} na potrzeby kolejnych płatności. ` +
          `Sklep nigdy nie widzi pełnego numeru karty.`,
        '',
        `Jeśli to nie Ty, skontaktuj się ze sklepem ${v.merchant}.`,
      ],
      `Dziękujemy\n${v.merchant}`,
    ),
    sms: `${v.merchant}: karta *${v.last4} zapisana na potrzeby kolejnych płatności.`,
  }),
  agreement_cancelled: (v) => ({
    subject: 'Twoja zgoda na płatności automatyczne została anulowana',
    text: mail(
      'Dzień dobry,',
      [
        `Zgoda, na podstawie której sklep ${v.merchant} mógł automatycznie obciążać Twoją kartę zakończoną cyframi ${v.last4}, została anulowana. ` +
          `Na jej podstawie nie będą już pobierane żadne płatności automatyczne.`,
        '',
        `Jeśli to dla Ciebie zaskoczenie, skontaktuj się ze sklepem ${v.merchant}.`,
      ],
      `Z poważaniem\n${v.merchant}`,
    ),
    sms: `${v.merchant}: płatności automatyczne kartą *${v.last4} anulowane.`,
  }),
};
