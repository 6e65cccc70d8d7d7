// Customer messages in Turkish.
import { mail, type Wording } from './wording.ts';

export const tr: Wording = {
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
        `Bunu beklemiyorduysanız lütfen ${v.merchant} ile iletişime geçin.`,
      ],
      `Saygılarımızla,\n${v.merchant}`,
    ),
    sms: `${v.merchant}: *${v.last4} kartınızla otomatik ödemeler iptal edildi.`,
  }),
};
