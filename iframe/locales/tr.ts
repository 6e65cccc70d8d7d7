import type { Row } from '../translations.ts';

export const tr: Row = [
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
  '{last4} ile biten {card}, son kullanma {date}', // cardEnding
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
  'Güvenlik kodu yanlış.', // errorCvcIncorrect
  'Devam etmek için kutuyu işaretleyin.', // errorConsent
  'Bu ödeme sayfasının süresi doldu. Yeniden başlayın.', // errorSession
  'Kart reddedildi. Başka bir kart kullanın.', // errorDeclined
  'Bu mağaza test modunda: bir test kartı kullanın.', // errorTestCard
  'Ödeme başarısız oldu. Bilgileri kontrol edin veya başka bir kart kullanın.', // errorGeneric
  'İşleniyor…', // processing
  'AA / YY', // expiryPlaceholder
];
