// Customer messages in Japanese, in the polite register a shop writes in.
import { mail, type Wording } from './wording.ts';

const hello = 'いつもご利用いただきありがとうございます。';
const bye = (merchant: string) => `今後ともよろしくお願いいたします。\n${merchant}`;

export const ja: Wording = {
  payment_approved: (v) => ({
    subject: `お支払いが承認されました：${v.amount}`,
    text: mail(
      hello,
      [`末尾${v.last4}のカードによる${v.merchant}への${v.amount}のお支払いが承認されました。`, v.description && `内容：${v.description}`],
      bye(v.merchant),
    ),
    sms: `${v.merchant}：カード*${v.last4}による${v.amount}のお支払いが承認されました。`,
  }),
  payment_failed: (v) => ({
    subject: v.hasCard ? `【要対応】末尾${v.last4}のカードでお支払いができませんでした` : `【要対応】${v.amount}のお支払いを完了できませんでした`,
    text: mail(
      hello,
      [
        v.hasCard
          ? `ご登録の末尾${v.last4}のカードで${v.merchant}への${v.amount}のお支払いを試みましたが、決済を完了できませんでした。`
          : `${v.merchant}への${v.amount}のお支払いを完了できませんでした。自動でご請求できる登録済みのカードがありません。`,
        v.description && `内容：${v.description}`,
        v.due && `お支払い期限は${v.due}です。`,
        '',
        v.hasCard
          ? `カードのご利用可能額が十分であること、有効期限が切れていないことをご確認いただくか、` +
            `${v.due ? `${v.due}までに` : ''}${v.merchant}のアカウントで別のカードをご登録ください。後ほど自動的にお支払いを再試行いたします。`
          : `${v.due ? `${v.due}までに` : ''}${v.merchant}のアカウントでカードをご登録いただくか、別の方法でお支払いください。`,
      ],
      bye(v.merchant),
    ),
    sms: v.hasCard
      ? `${v.merchant}：カード*${v.last4}で${v.amount}のお支払いができませんでした。${v.due ? `お支払い期限は${v.due}です。` : ''}` +
        `ご利用可能額をご確認いただくか、カードを更新してください。`
      : `${v.merchant}：${v.amount}のお支払いを完了できませんでした。${v.due ? `お支払い期限は${v.due}です。` : ''}カードをご登録ください。`,
  }),
  card_saved: (v) => ({
    subject: `末尾${v.last4}のカードが登録されました`,
    text: mail(
      hello,
      [
        `末尾${v.last4}のカードが、今後のお支払い用に${v.merchant}に登録されました。ショップがカード番号の全桁を見ることはありません。`,
        '',
        `お心当たりがない場合は、${v.merchant}までお問い合わせください。`,
      ],
      bye(v.merchant),
    ),
    sms: `${v.merchant}：カード*${v.last4}を今後のお支払い用に登録しました。`,
  }),
  agreement_cancelled: (v) => ({
    subject: '自動支払いの契約が解除されました',
    text: mail(
      hello,
      [
        `${v.merchant}が末尾${v.last4}のカードに自動でご請求できる契約が解除されました。今後、この契約に基づく自動支払いは行われません。`,
        '',
        `お心当たりがない場合は、${v.merchant}までお問い合わせください。`,
      ],
      bye(v.merchant),
    ),
    sms: `${v.merchant}：カード*${v.last4}による自動支払いが解除されました。`,
  }),
};
