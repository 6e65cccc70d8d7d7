// Customer messages in Arabic. Written right to left: renderMessage sets every inserted value (the
// shop's name, an amount, a date, the card's last digits) in a Unicode isolate, so none of them can
// reorder the sentence around it.
import { mail, type Wording } from './wording.ts';

export const ar: Wording = {
  payment_approved: (v) => ({
    subject: `تمت الموافقة على الدفعة: ${v.amount}`,
    text: mail(
      'مرحبًا،',
      [`تمت الموافقة على دفعتك بمبلغ ${v.amount} إلى ${v.merchant} باستخدام بطاقتك المنتهية بالرقم ${v.last4}.`, v.description && `الوصف: ${v.description}`],
      `مع الشكر،\n${v.merchant}`,
    ),
    sms: `${v.merchant}: تمت الموافقة على دفعة بمبلغ ${v.amount} بالبطاقة *${v.last4}.`,
  }),
  payment_failed: (v) => ({
    subject: v.hasCard ? `إجراء مطلوب: تعذّر الخصم من بطاقتك المنتهية بالرقم ${v.last4}` : `إجراء مطلوب: تعذّر تحصيل دفعتك بمبلغ ${v.amount}`,
    text: mail(
      'مرحبًا،',
      [
        v.hasCard
          ? `حاولنا خصم ${v.amount} لصالح ${v.merchant} من بطاقتك المحفوظة المنتهية بالرقم ${v.last4}، لكن الدفعة لم تتم.`
          : `تعذّر علينا تحصيل دفعتك بمبلغ ${v.amount} لصالح ${v.merchant}: لا توجد بطاقة محفوظة يمكننا الخصم منها تلقائيًا.`,
        v.description && `الوصف: ${v.description}`,
        v.due && `تاريخ استحقاق الدفعة: ${v.due}.`,
        '',
        v.hasCard
          ? `يُرجى التأكد من توفر رصيد كافٍ في البطاقة ومن أنها لا تزال صالحة، ` +
            `أو إضافة بطاقة أخرى إلى حسابك لدى ${v.merchant}${v.due ? ` قبل ${v.due}` : ''}. سنعيد المحاولة تلقائيًا.`
          : `يُرجى إضافة بطاقة إلى حسابك لدى ${v.merchant}${v.due ? ` قبل ${v.due}` : ''}، أو الدفع بطريقة أخرى.`,
      ],
      `مع الشكر،\n${v.merchant}`,
    ),
    sms: v.hasCard
      ? `${v.merchant}: تعذّر خصم ${v.amount} من البطاقة *${v.last4}.${v.due ? ` الاستحقاق: ${v.due}.` : ''} يُرجى إضافة رصيد أو تحديث بطاقتك.`
      : `${v.merchant}: تعذّر تحصيل دفعتك بمبلغ ${v.amount}.${v.due ? ` الاستحقاق: ${v.due}.` : ''} يُرجى إضافة بطاقة.`,
  }),
  card_saved: (v) => ({
    subject: `تم حفظ بطاقتك المنتهية بالرقم ${v.last4}`,
    text: mail(
      'مرحبًا،',
      [
        `تم حفظ بطاقتك المنتهية بالرقم ${v.last4} لدى ${v.merchant} لمدفوعاتك القادمة. لا يرى المتجر رقم البطاقة الكامل أبدًا.`,
        '',
        `إذا لم تكن أنت من قام بذلك، فيُرجى التواصل مع ${v.merchant}.`,
      ],
      `مع الشكر،\n${v.merchant}`,
    ),
    sms: `${v.merchant}: تم حفظ البطاقة *${v.last4} لمدفوعاتك القادمة.`,
  }),
  agreement_cancelled: (v) => ({
    subject: 'تم إلغاء اتفاقية الدفع التلقائي الخاصة بك',
    text: mail(
      'مرحبًا،',
      [
        `تم إلغاء الاتفاقية التي كانت تسمح لـ ${v.merchant} بالخصم تلقائيًا من بطاقتك المنتهية بالرقم ${v.last4}. لن تُحصَّل أي مدفوعات تلقائية أخرى بموجبها.`,
        '',
        `إذا لم تكن تتوقع ذلك، فيُرجى التواصل مع ${v.merchant}.`,
      ],
      `مع أطيب التحيات،\n${v.merchant}`,
    ),
    sms: `${v.merchant}: تم إلغاء المدفوعات التلقائية بالبطاقة *${v.last4}.`,
  }),
};
