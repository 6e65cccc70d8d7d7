import type { Row } from '../translations.ts';

export const ru: Row = [
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
  '{card}, последние цифры {last4}, действует до {date}', // cardEnding
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
  'Код безопасности не совпадает с картой.', // errorCvcIncorrect
  'Отметьте флажок, чтобы продолжить.', // errorConsent
  'Страница оплаты устарела. Начните заново.', // errorSession
  'Карта отклонена. Используйте другую карту.', // errorDeclined
  'Этот магазин работает в тестовом режиме: используйте тестовую карту.', // errorTestCard
  'Платёж не прошёл. Проверьте данные или используйте другую карту.', // errorGeneric
  'Обработка…', // processing
  'ММ / ГГ', // expiryPlaceholder
];
