// The fields' texts in the locales other than English, in KEYS order (see translations.ts). Not part
// of frame.js: the vault's page carries the row of the page's locale, and serves the others on request.
import type { Locale } from '../protocol/messages.ts';
import { EN, textsOf, type Row, type Texts } from './translations.ts';

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
  'Удалить эту карту? Автоматические платежи с неё тоже прекратятся.', // deleteConfirmAgreements
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
  'Карта отклонена. Используйте другую карту.', // errorDeclined
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
  'Supprimer cette carte ? Ses paiements automatiques prennent fin aussi.', // deleteConfirmAgreements
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
  'La carte a été refusée. Utilisez une autre carte.', // errorDeclined
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
  'Bu kart silinsin mi? Otomatik ödemeleri de sona erer.', // deleteConfirmAgreements
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
  'Kart reddedildi. Başka bir kart kullanın.', // errorDeclined
  'Ödeme başarısız oldu. Bilgileri kontrol edin veya başka bir kart kullanın.', // errorGeneric
  'İşleniyor…', // processing
  'AA / YY', // expiryPlaceholder
];

export const ROWS: Record<Locale, Row> = { en: EN, ru, fr, tr };

export const TRANSLATIONS: Record<Locale, Texts> = { en: textsOf(EN), ru: textsOf(ru), fr: textsOf(fr), tr: textsOf(tr) };
