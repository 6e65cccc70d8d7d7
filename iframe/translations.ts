// Every visible text of the fields in each locale the contract names. `{name}` marks a value the
// fields fill in; a merchant's `labels` replace any LabelKey text, placeholders included.
// Each locale is a row in KEYS order (a tuple type checks the count): the key names then ship once
// instead of four times, which the frame's 20 KB budget needs.
import type { LabelKey, Locale } from '../protocol/messages.ts';

/** Texts the fields build phrases from; not overridable one by one (the phrase they feed is). A
 * recurring agreement's wording is not here: the vault writes it, and the fields show it verbatim. */
export type PhraseKey = 'expiryPlaceholder';

export type Texts = Record<LabelKey | PhraseKey, string>;

export const KEYS = [
  'number',
  'expiry',
  'cvc',
  'holder',
  'holderOptional',
  'save',
  'submit',
  'pay',
  'newCard',
  'savedCards',
  'useCard',
  'expires',
  'delete',
  'deleteConfirm',
  'deleteYes',
  'deleteNo',
  'cvcFor',
  'challengeTitle',
  'challengeWait',
  'errorNumber',
  'errorNumberIncomplete',
  'errorExpiry',
  'errorExpiryPast',
  'errorCvc',
  'errorConsent',
  'errorSession',
  'errorGeneric',
  'processing',
  'expiryPlaceholder',
] as const satisfies readonly (keyof Texts)[];

type StringsFor<T extends readonly unknown[]> = { -readonly [I in keyof T]: string };
type Row = StringsFor<typeof KEYS>;

const en: Row = [
  'Card number', // number
  'Expiry date', // expiry
  'Security code', // cvc
  'Name on card', // holder
  '(optional)', // holderOptional
  'Save this card for future payments', // save
  'Confirm', // submit
  'Pay {amount}', // pay
  '+ New card', // newCard
  'Saved cards', // savedCards
  'Use a saved card', // useCard
  'Expires {date}', // expires
  'Delete', // delete
  'Delete this card?', // deleteConfirm
  'Yes, delete', // deleteYes
  'No', // deleteNo
  'Security code for {card}', // cvcFor
  'Confirm the payment with your bank', // challengeTitle
  'Complete your bank\'s check below.', // challengeWait
  'This card number is not valid.', // errorNumber
  'The card number is incomplete.', // errorNumberIncomplete
  'The expiry date is not valid.', // errorExpiry
  'This card has expired.', // errorExpiryPast
  'The security code is not valid.', // errorCvc
  'Tick the box to continue.', // errorConsent
  'This payment page has expired. Please start again.', // errorSession
  'The payment failed. Check the details or use another card.', // errorGeneric
  'Processing…', // processing
  'MM / YY', // expiryPlaceholder
];

const ru: Row = [
  'Номер карты', // number
  'Срок действия', // expiry
  'Код безопасности', // cvc
  'Имя на карте', // holder
  '(необязательно)', // holderOptional
  'Сохранить карту для будущих платежей', // save
  'Подтвердить', // submit
  'Оплатить {amount}', // pay
  '+ Новая карта', // newCard
  'Сохранённые карты', // savedCards
  'Выбрать сохранённую карту', // useCard
  'Действует до {date}', // expires
  'Удалить', // delete
  'Удалить эту карту?', // deleteConfirm
  'Да, удалить', // deleteYes
  'Нет', // deleteNo
  'Код безопасности карты {card}', // cvcFor
  'Подтвердите платёж в своём банке', // challengeTitle
  'Пройдите проверку банка ниже.', // challengeWait
  'Неверный номер карты.', // errorNumber
  'Номер карты введён не полностью.', // errorNumberIncomplete
  'Неверный срок действия.', // errorExpiry
  'Срок действия карты истёк.', // errorExpiryPast
  'Неверный код безопасности.', // errorCvc
  'Отметьте флажок, чтобы продолжить.', // errorConsent
  'Страница оплаты устарела. Начните заново.', // errorSession
  'Платёж не прошёл. Проверьте данные или используйте другую карту.', // errorGeneric
  'Обработка…', // processing
  'ММ / ГГ', // expiryPlaceholder
];

const fr: Row = [
  'Numéro de carte', // number
  'Date d’expiration', // expiry
  'Code de sécurité', // cvc
  'Nom sur la carte', // holder
  '(facultatif)', // holderOptional
  'Enregistrer cette carte pour les prochains paiements', // save
  'Confirmer', // submit
  'Payer {amount}', // pay
  '+ Nouvelle carte', // newCard
  'Cartes enregistrées', // savedCards
  'Utiliser une carte enregistrée', // useCard
  'Expire fin {date}', // expires
  'Supprimer', // delete
  'Supprimer cette carte ?', // deleteConfirm
  'Oui, supprimer', // deleteYes
  'Non', // deleteNo
  'Code de sécurité de la carte {card}', // cvcFor
  'Confirmez le paiement auprès de votre banque', // challengeTitle
  'Terminez la vérification de votre banque ci-dessous.', // challengeWait
  'Ce numéro de carte n’est pas valide.', // errorNumber
  'Le numéro de carte est incomplet.', // errorNumberIncomplete
  'La date d’expiration n’est pas valide.', // errorExpiry
  'Cette carte a expiré.', // errorExpiryPast
  'Le code de sécurité n’est pas valide.', // errorCvc
  'Cochez la case pour continuer.', // errorConsent
  'Cette page de paiement a expiré. Recommencez.', // errorSession
  'Le paiement a échoué. Vérifiez les informations ou utilisez une autre carte.', // errorGeneric
  'Traitement…', // processing
  'MM / AA', // expiryPlaceholder
];

const tr: Row = [
  'Kart numarası', // number
  'Son kullanma tarihi', // expiry
  'Güvenlik kodu', // cvc
  'Kart üzerindeki isim', // holder
  '(isteğe bağlı)', // holderOptional
  'Bu kartı sonraki ödemeler için kaydet', // save
  'Onayla', // submit
  '{amount} öde', // pay
  '+ Yeni kart', // newCard
  'Kayıtlı kartlar', // savedCards
  'Kayıtlı bir kart kullan', // useCard
  'Son kullanma {date}', // expires
  'Sil', // delete
  'Bu kart silinsin mi?', // deleteConfirm
  'Evet, sil', // deleteYes
  'Hayır', // deleteNo
  '{card} kartının güvenlik kodu', // cvcFor
  'Ödemeyi bankanızla onaylayın', // challengeTitle
  'Aşağıdaki banka doğrulamasını tamamlayın.', // challengeWait
  'Bu kart numarası geçerli değil.', // errorNumber
  'Kart numarası eksik.', // errorNumberIncomplete
  'Son kullanma tarihi geçerli değil.', // errorExpiry
  'Bu kartın süresi dolmuş.', // errorExpiryPast
  'Güvenlik kodu geçerli değil.', // errorCvc
  'Devam etmek için kutuyu işaretleyin.', // errorConsent
  'Bu ödeme sayfasının süresi doldu. Yeniden başlayın.', // errorSession
  'Ödeme başarısız oldu. Bilgileri kontrol edin veya başka bir kart kullanın.', // errorGeneric
  'İşleniyor…', // processing
  'AA / YY', // expiryPlaceholder
];

const textsOf = (row: Row) => Object.fromEntries(KEYS.map((key, i) => [key, row[i]])) as Texts;

export const TRANSLATIONS: Record<Locale, Texts> = { en: textsOf(en), ru: textsOf(ru), fr: textsOf(fr), tr: textsOf(tr) };
