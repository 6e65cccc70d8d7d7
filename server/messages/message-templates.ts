// The wording of customer messages in each supported language: a subject and body for e-mail and a
// short text for SMS. Amounts come in minor units and are formatted for the locale and currency.
import { LOCALES, type Locale } from '../../protocol/messages.ts';
import { startOfDay } from '../clock.ts';
import type { MessageTemplate } from './messenger.ts';

export { LOCALES, type Locale };

export interface RenderedMessage {
  subject: string;
  text: string;
  sms: string;
}

/** What a template may name, already formatted for the locale. */
interface Vars {
  merchant: string;
  amount: string;
  due?: string;
  /** Four digits, or a mask when the caller did not say which card. */
  last4: string;
  hasCard: boolean;
  description?: string;
}

type Wording = Record<MessageTemplate, (v: Vars) => RenderedMessage>;

/** Ends a sentence, unless it already ends with a full stop (Russian dates end with "г."). */
const dot = (s: string) => (s.endsWith('.') ? s : `${s}.`);

const mail = (hello: string, lines: (string | false | undefined)[], bye: string) =>
  [hello, '', ...lines.filter((l): l is string => typeof l === 'string'), '', bye].join('\n');

const en: Wording = {
  payment_approved: (v) => ({
    subject: `Payment approved: ${v.amount}`,
    text: mail(
      'Hello,',
      [`Your payment of ${v.amount} to ${v.merchant} with your card ending in ${v.last4} was approved.`, v.description && `For: ${v.description}`],
      `Thank you,\n${v.merchant}`,
    ),
    sms: `${v.merchant}: payment of ${v.amount} with card *${v.last4} approved.`,
  }),
  payment_failed: (v) => ({
    subject: v.hasCard ? `Action needed: we could not charge your card ending in ${v.last4}` : `Action needed: your payment of ${v.amount} could not be taken`,
    text: mail(
      'Hello,',
      [
        v.hasCard
          ? `We tried to charge ${v.amount} for ${v.merchant} to your saved card ending in ${v.last4}, but the payment did not go through.`
          : `We could not take your payment of ${v.amount} for ${v.merchant}: there is no saved card we may charge automatically.`,
        v.description && `For: ${v.description}`,
        v.due && `The payment is due on ${v.due}.`,
        '',
        v.hasCard
          ? `Please make sure the card has enough funds and is still valid, ` +
            `or add another card in your account at ${v.merchant}${v.due ? ` before ${v.due}` : ''}. We will try again automatically.`
          : `Please add a card in your account at ${v.merchant}${v.due ? ` before ${v.due}` : ''}, or pay another way.`,
      ],
      `Thank you,\n${v.merchant}`,
    ),
    sms: v.hasCard
      ? `${v.merchant}: we could not charge ${v.amount} to card *${v.last4}.${v.due ? ` Due ${v.due}.` : ''} Please add funds or update your card.`
      : `${v.merchant}: we could not take your payment of ${v.amount}.${v.due ? ` Due ${v.due}.` : ''} Please add a card.`,
  }),
  card_saved: (v) => ({
    subject: `Your card ending in ${v.last4} was saved`,
    text: mail(
      'Hello,',
      [
        `Your card ending in ${v.last4} was saved at ${v.merchant} for your next payments. The shop never sees the full card number.`,
        '',
        `If this was not you, please contact ${v.merchant}.`,
      ],
      `Thank you,\n${v.merchant}`,
    ),
    sms: `${v.merchant}: card *${v.last4} saved for your next payments.`,
  }),
  agreement_cancelled: (v) => ({
    subject: 'Your automatic payment agreement was cancelled',
    text: mail(
      'Hello,',
      [
        `Your agreement allowing ${v.merchant} to charge your card ending in ${v.last4} automatically has been cancelled. ` +
          `No further automatic payments will be taken under it.`,
        '',
        `If you did not expect this, please contact ${v.merchant}.`,
      ],
      `Kind regards,\n${v.merchant}`,
    ),
    sms: `${v.merchant}: automatic payments with card *${v.last4} cancelled.`,
  }),
};

const fr: Wording = {
  payment_approved: (v) => ({
    subject: `Paiement accepté : ${v.amount}`,
    text: mail(
      'Bonjour,',
      [
        `Votre paiement de ${v.amount} à ${v.merchant} avec votre carte se terminant par ${v.last4} a été accepté.`,
        v.description && `Objet : ${v.description}`,
      ],
      `Merci,\n${v.merchant}`,
    ),
    sms: `${v.merchant} : paiement de ${v.amount} avec la carte *${v.last4} accepté.`,
  }),
  payment_failed: (v) => ({
    subject: v.hasCard
      ? `Action requise : nous n'avons pas pu débiter votre carte se terminant par ${v.last4}`
      : `Action requise : votre paiement de ${v.amount} n'a pas pu être effectué`,
    text: mail(
      'Bonjour,',
      [
        v.hasCard
          ? `Nous avons tenté de débiter ${v.amount} pour ${v.merchant} sur votre carte enregistrée se terminant par ${v.last4}, ` +
            `mais le paiement n'a pas abouti.`
          : `Nous n'avons pas pu effectuer votre paiement de ${v.amount} pour ${v.merchant} : aucune carte enregistrée ne peut être débitée automatiquement.`,
        v.description && `Objet : ${v.description}`,
        v.due && `L'échéance est fixée au ${v.due}.`,
        '',
        v.hasCard
          ? `Vérifiez que la carte est suffisamment approvisionnée et toujours valide, ` +
            `ou ajoutez une autre carte dans votre compte ${v.merchant}${v.due ? ` avant le ${v.due}` : ''}. Nous réessaierons automatiquement.`
          : `Ajoutez une carte dans votre compte ${v.merchant}${v.due ? ` avant le ${v.due}` : ''}, ou réglez par un autre moyen.`,
      ],
      `Merci,\n${v.merchant}`,
    ),
    sms: v.hasCard
      ? `${v.merchant} : impossible de débiter ${v.amount} sur la carte *${v.last4}.` +
        `${v.due ? ` Échéance le ${v.due}.` : ''} Approvisionnez ou changez votre carte.`
      : `${v.merchant} : paiement de ${v.amount} impossible.${v.due ? ` Échéance le ${v.due}.` : ''} Ajoutez une carte.`,
  }),
  card_saved: (v) => ({
    subject: `Votre carte se terminant par ${v.last4} a été enregistrée`,
    text: mail(
      'Bonjour,',
      [
        `Votre carte se terminant par ${v.last4} a été enregistrée chez ${v.merchant} pour vos prochains paiements. ` +
          `Le commerçant ne voit jamais le numéro complet de la carte.`,
        '',
        `Si vous n'êtes pas à l'origine de cette opération, contactez ${v.merchant}.`,
      ],
      `Merci,\n${v.merchant}`,
    ),
    sms: `${v.merchant} : carte *${v.last4} enregistrée pour vos prochains paiements.`,
  }),
  agreement_cancelled: (v) => ({
    subject: 'Votre accord de paiement automatique a été annulé',
    text: mail(
      'Bonjour,',
      [
        `L'accord autorisant ${v.merchant} à débiter automatiquement votre carte se terminant par ${v.last4} a été annulé. ` +
          `Aucun autre paiement automatique ne sera effectué à ce titre.`,
        '',
        `Si vous ne vous y attendiez pas, contactez ${v.merchant}.`,
      ],
      `Cordialement,\n${v.merchant}`,
    ),
    sms: `${v.merchant} : paiements automatiques avec la carte *${v.last4} annulés.`,
  }),
};

const ru: Wording = {
  payment_approved: (v) => ({
    subject: `Платёж одобрен: ${v.amount}`,
    text: mail(
      'Здравствуйте!',
      [
        `Ваш платёж на сумму ${v.amount} в магазине «${v.merchant}» картой, оканчивающейся на ${v.last4}, одобрен.`,
        v.description && `Назначение: ${v.description}`,
      ],
      `Спасибо!\n${v.merchant}`,
    ),
    sms: `${v.merchant}: платёж ${v.amount} картой *${v.last4} одобрен.`,
  }),
  payment_failed: (v) => ({
    subject: v.hasCard
      ? `Требуется действие: не удалось списать оплату с карты *${v.last4}`
      : `Требуется действие: не удалось принять платёж на сумму ${v.amount}`,
    text: mail(
      'Здравствуйте!',
      [
        v.hasCard
          ? `Мы попытались списать ${v.amount} в пользу магазина «${v.merchant}» с вашей сохранённой карты, оканчивающейся на ${v.last4}, но платёж не прошёл.`
          : `Нам не удалось принять ваш платёж на сумму ${v.amount} в магазине «${v.merchant}»: ` +
            `нет сохранённой карты, с которой разрешено автоматическое списание.`,
        v.description && `Назначение: ${v.description}`,
        v.due && dot(`Срок оплаты — ${v.due}`),
        '',
        v.hasCard
          ? `${dot(
              `Пожалуйста, убедитесь, что на карте достаточно средств и срок её действия не истёк, ` +
                `или добавьте другую карту в личном кабинете магазина «${v.merchant}»${v.due ? ` до ${v.due}` : ''}`,
            )} Мы автоматически повторим попытку.`
          : `Пожалуйста, добавьте карту в личном кабинете магазина «${v.merchant}»${v.due ? ` до ${v.due}` : ''} или оплатите другим способом.`,
      ],
      `Спасибо!\n${v.merchant}`,
    ),
    sms: v.hasCard
      ? `${v.merchant}: не удалось списать ${v.amount} с карты *${v.last4}.${v.due ? ` ${dot(`Срок оплаты ${v.due}`)}` : ''} Пополните или замените карту.`
      : `${v.merchant}: не удалось принять платёж ${v.amount}.${v.due ? ` ${dot(`Срок оплаты ${v.due}`)}` : ''} Добавьте карту.`,
  }),
  card_saved: (v) => ({
    subject: `Карта *${v.last4} сохранена`,
    text: mail(
      'Здравствуйте!',
      [
        `Ваша карта, оканчивающаяся на ${v.last4}, сохранена для следующих оплат в магазине «${v.merchant}». Полный номер карты магазин никогда не видит.`,
        '',
        `Если это были не вы, обратитесь в магазин «${v.merchant}».`,
      ],
      `Спасибо!\n${v.merchant}`,
    ),
    sms: `${v.merchant}: карта *${v.last4} сохранена для следующих оплат.`,
  }),
  agreement_cancelled: (v) => ({
    subject: 'Соглашение об автоматических платежах отменено',
    text: mail(
      'Здравствуйте!',
      [
        `Соглашение, по которому магазин «${v.merchant}» мог автоматически списывать оплату с вашей карты, оканчивающейся на ${v.last4}, отменено. ` +
          `Автоматических списаний по нему больше не будет.`,
        '',
        `Если вы этого не ожидали, обратитесь в магазин «${v.merchant}».`,
      ],
      `С уважением,\n${v.merchant}`,
    ),
    sms: `${v.merchant}: автоматические платежи с карты *${v.last4} отменены.`,
  }),
};

const tr: Wording = {
  payment_approved: (v) => ({
    subject: `Ödeme onaylandı: ${v.amount}`,
    text: mail(
      'Merhaba,',
      [`${v.merchant} için ${v.last4} ile biten kartınızla yaptığınız ${v.amount} tutarındaki ödeme onaylandı.`, v.description && `Açıklama: ${v.description}`],
      `Teşekkür ederiz,\n${v.merchant}`,
    ),
    sms: `${v.merchant}: *${v.last4} kartınızla ${v.amount} tutarındaki ödeme onaylandı.`,
  }),
  payment_failed: (v) => ({
    subject: v.hasCard ? `İşlem gerekli: ${v.last4} ile biten kartınızdan ödeme alınamadı` : `İşlem gerekli: ${v.amount} tutarındaki ödemeniz alınamadı`,
    text: mail(
      'Merhaba,',
      [
        v.hasCard
          ? `${v.merchant} için ${v.last4} ile biten kayıtlı kartınızdan ${v.amount} tahsil etmeye çalıştık, ancak ödeme gerçekleşmedi.`
          : `${v.merchant} için ${v.amount} tutarındaki ödemenizi alamadık: otomatik ödeme alınabilecek kayıtlı bir kartınız yok.`,
        v.description && `Açıklama: ${v.description}`,
        v.due && `Son ödeme tarihi: ${v.due}.`,
        '',
        v.hasCard
          ? `Lütfen kartınızda yeterli bakiye olduğundan ve kartın geçerli olduğundan emin olun ya da ` +
            `${v.due ? `${v.due} tarihinden önce ` : ''}${v.merchant} hesabınıza başka bir kart ekleyin. Ödemeyi otomatik olarak yeniden deneyeceğiz.`
          : `Lütfen ${v.due ? `${v.due} tarihinden önce ` : ''}${v.merchant} hesabınıza bir kart ekleyin ya da başka bir yolla ödeyin.`,
      ],
      `Teşekkür ederiz,\n${v.merchant}`,
    ),
    sms: v.hasCard
      ? `${v.merchant}: *${v.last4} kartınızdan ${v.amount} tahsil edilemedi.` +
        `${v.due ? ` Son ödeme tarihi ${v.due}.` : ''} Lütfen bakiye ekleyin veya kartınızı güncelleyin.`
      : `${v.merchant}: ${v.amount} tutarındaki ödemeniz alınamadı.${v.due ? ` Son ödeme tarihi ${v.due}.` : ''} Lütfen bir kart ekleyin.`,
  }),
  card_saved: (v) => ({
    subject: `${v.last4} ile biten kartınız kaydedildi`,
    text: mail(
      'Merhaba,',
      [
        `${v.last4} ile biten kartınız, sonraki ödemeleriniz için ${v.merchant} tarafından kaydedildi. Mağaza kartınızın tam numarasını hiçbir zaman görmez.`,
        '',
        `Bu işlemi siz yapmadıysanız lütfen ${v.merchant} ile iletişime geçin.`,
      ],
      `Teşekkür ederiz,\n${v.merchant}`,
    ),
    sms: `${v.merchant}: *${v.last4} kartınız sonraki ödemeleriniz için kaydedildi.`,
  }),
  agreement_cancelled: (v) => ({
    subject: 'Otomatik ödeme talimatınız iptal edildi',
    text: mail(
      'Merhaba,',
      [
        `${v.merchant} tarafından ${v.last4} ile biten kartınızdan otomatik ödeme alınmasına izin veren talimatınız iptal edildi. ` +
          `Bu talimat kapsamında artık otomatik ödeme alınmayacak.`,
        '',
        `Bunu beklemiyorsanız lütfen ${v.merchant} ile iletişime geçin.`,
      ],
      `Saygılarımızla,\n${v.merchant}`,
    ),
    sms: `${v.merchant}: *${v.last4} kartınızla otomatik ödemeler iptal edildi.`,
  }),
};

// TEMPORARY while the new locales' wording is written: they read English.
const WORDING: Partial<Record<Locale, Wording>> = { en, ru, fr, tr };

export function toLocale(value: string | null | undefined): Locale {
  return (LOCALES as readonly string[]).includes(value ?? '') ? (value as Locale) : 'en';
}

/** 1999 USD → "$19.99" in en, "19,99 $US" in fr; the currency's own number of decimals (JPY has none). */
export function formatAmount(minor: number, currency: string, locale: Locale): string {
  try {
    const format = new Intl.NumberFormat(locale, { style: 'currency', currency });
    const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
    return format.format(minor / 10 ** digits);
  } catch {
    return `${(minor / 100).toFixed(2)} ${currency}`;
  }
}

export function formatDate(date: string, locale: Locale): string {
  const d = startOfDay(date);
  return Number.isNaN(d.getTime()) ? date : new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).format(d);
}

// Any run of 12 or more digits (a card number, however spaced) never reaches a customer's inbox.
const DIGIT_RUN = /\d(?:[ -]?\d){11,}/g;
const scrub = (s: string) => s.replace(DIGIT_RUN, '[redacted]');

export function renderMessage(template: MessageTemplate, locale: Locale, data: Record<string, string | number | null | undefined>): RenderedMessage {
  const str = (key: string) => (data[key] == null || data[key] === '' ? undefined : String(data[key]));
  const amount = Number(data.amount);
  const currency = str('currency');
  const last4 = /^\d{4}$/.test(str('last4') ?? '') ? str('last4')! : undefined;
  const vars: Vars = {
    merchant: str('merchant') ?? '',
    amount: Number.isFinite(amount) && currency ? formatAmount(amount, currency, locale) : '—',
    due: str('due_date') && formatDate(str('due_date')!, locale),
    last4: last4 ?? '••••',
    hasCard: last4 !== undefined,
    description: str('description')?.slice(0, 200),
  };
  const out = (WORDING[locale] ?? en)[template](vars);
  return { subject: scrub(out.subject), text: scrub(out.text), sms: scrub(out.sms) };
}
