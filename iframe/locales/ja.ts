import type { Row } from '../translations.ts';

export const ja: Row = [
  'カード番号', // number
  '有効期限', // expiry
  'セキュリティコード', // cvc
  'カード名義', // holder
  '（任意）', // holderOptional
  '今後の支払いのためにこのカードを保存する', // save
  '確認', // submit
  '{amount}を支払う', // pay
  '+ 新しいカード', // newCard
  '保存済みのカード', // savedCards
  '保存済みのカードを使う', // useCard
  '有効期限 {date}', // expires
  '末尾{last4}の{card}、有効期限 {date}', // cardEnding
  '削除', // delete
  'このカードを削除しますか？', // deleteConfirm
  'このカードを削除しますか？このカードの自動支払いも終了します。', // deleteConfirmAgreements
  'はい、削除します', // deleteYes
  'いいえ', // deleteNo
  '{card}のセキュリティコード', // cvcFor
  '銀行で支払いを確認してください', // challengeTitle
  '下の銀行の確認を完了してください。', // challengeWait
  'このカード番号は無効です。', // errorNumber
  'カード番号が不完全です。', // errorNumberIncomplete
  '有効期限が無効です。', // errorExpiry
  'このカードは有効期限が切れています。', // errorExpiryPast
  'セキュリティコードが無効です。', // errorCvc
  'セキュリティコードが正しくありません。', // errorCvcIncorrect
  '続行するにはチェックボックスをオンにしてください。', // errorConsent
  'この支払いページの有効期限が切れました。最初からやり直してください。', // errorSession
  'カードが拒否されました。別のカードをお使いください。', // errorDeclined
  'このショップはテストモードです。テストカードをお使いください。', // errorTestCard
  '支払いに失敗しました。入力内容を確認するか、別のカードをお使いください。', // errorGeneric
  '処理中…', // processing
  'MM / YY', // expiryPlaceholder
];
