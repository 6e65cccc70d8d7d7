import type { Row } from '../translations.ts';

export const ar: Row = [
  'رقم البطاقة', // number
  'تاريخ الانتهاء', // expiry
  'رمز الأمان', // cvc
  'الاسم على البطاقة', // holder
  '(اختياري)', // holderOptional
  'احفظ هذه البطاقة للمدفوعات المستقبلية', // save
  'تأكيد', // submit
  'ادفع {amount}', // pay
  '+ بطاقة جديدة', // newCard
  'البطاقات المحفوظة', // savedCards
  'استخدم بطاقة محفوظة', // useCard
  'تنتهي في {date}', // expires
  'بطاقة {card} المنتهية بـ {last4}، تنتهي في {date}', // cardEnding
  'حذف', // delete
  'هل تريد حذف هذه البطاقة؟', // deleteConfirm
  'هل تريد حذف هذه البطاقة؟ ستتوقف مدفوعاتها التلقائية أيضًا.', // deleteConfirmAgreements
  'نعم، احذفها', // deleteYes
  'لا', // deleteNo
  'رمز الأمان لبطاقة {card}', // cvcFor
  'أكّد الدفع مع البنك الذي تتعامل معه', // challengeTitle
  'أكمل تحقق البنك أدناه.', // challengeWait
  'رقم البطاقة هذا غير صالح.', // errorNumber
  'رقم البطاقة غير مكتمل.', // errorNumberIncomplete
  'تاريخ الانتهاء غير صالح.', // errorExpiry
  'انتهت صلاحية هذه البطاقة.', // errorExpiryPast
  'رمز الأمان غير صالح.', // errorCvc
  'رمز الأمان غير صحيح.', // errorCvcIncorrect
  'حدّد المربع للمتابعة.', // errorConsent
  'انتهت صلاحية صفحة الدفع هذه. يُرجى البدء من جديد.', // errorSession
  'تم رفض البطاقة. استخدم بطاقة أخرى.', // errorDeclined
  'هذا المتجر في وضع الاختبار: استخدم بطاقة اختبار.', // errorTestCard
  'فشل الدفع. تحقّق من البيانات أو استخدم بطاقة أخرى.', // errorGeneric
  'جارٍ المعالجة…', // processing
  'MM / YY', // expiryPlaceholder
];
