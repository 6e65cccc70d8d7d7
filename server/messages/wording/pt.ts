// Customer messages in Brazilian Portuguese.
import { mail, type Wording } from './wording.ts';

export const pt: Wording = {
  payment_approved: (v) => ({
    subject: `Pagamento aprovado: ${v.amount}`,
    text: mail(
      'Olá,',
      [`Seu pagamento de ${v.amount} para ${v.merchant} com o seu cartão de final ${v.last4} foi aprovado.`, v.description && `Referente a: ${v.description}`],
      `Obrigado,\n${v.merchant}`,
    ),
    sms: `${v.merchant}: pagamento de ${v.amount} com o cartão *${v.last4} aprovado.`,
  }),
  payment_failed: (v) => ({
    subject: v.hasCard
      ? `Ação necessária: não conseguimos cobrar no seu cartão de final ${v.last4}`
      : `Ação necessária: não foi possível processar seu pagamento de ${v.amount}`,
    text: mail(
      'Olá,',
      [
        v.hasCard
          ? `Tentamos cobrar ${v.amount} para ${v.merchant} no seu cartão salvo de final ${v.last4}, mas o pagamento não foi aprovado.`
          : `Não foi possível processar seu pagamento de ${v.amount} para ${v.merchant}: não há um cartão salvo que possamos cobrar automaticamente.`,
        v.description && `Referente a: ${v.description}`,
        v.due && `O pagamento vence em ${v.due}.`,
        '',
        v.hasCard
          ? `Verifique se o cartão tem saldo ou limite suficiente e se ainda está válido, ` +
            `ou adicione outro cartão na sua conta em ${v.merchant}${v.due ? ` até ${v.due}` : ''}. Tentaremos novamente de forma automática.`
          : `Adicione um cartão na sua conta em ${v.merchant}${v.due ? ` até ${v.due}` : ''} ou pague de outra forma.`,
      ],
      `Obrigado,\n${v.merchant}`,
    ),
    sms: v.hasCard
      ? `${v.merchant}: não conseguimos cobrar ${v.amount} no cartão *${v.last4}.${v.due ? ` Vence em ${v.due}.` : ''} ` +
        'Verifique o limite ou atualize seu cartão.'
      : `${v.merchant}: não foi possível processar seu pagamento de ${v.amount}.${v.due ? ` Vence em ${v.due}.` : ''} Adicione um cartão.`,
  }),
  card_saved: (v) => ({
    subject: `Seu cartão de final ${v.last4} foi salvo`,
    text: mail(
      'Olá,',
      [
        `Seu cartão de final ${v.last4} foi salvo em ${v.merchant} para seus próximos pagamentos. A loja nunca vê o número completo do cartão.`,
        '',
        `Se não foi você, entre em contato com ${v.merchant}.`,
      ],
      `Obrigado,\n${v.merchant}`,
    ),
    sms: `${v.merchant}: cartão *${v.last4} salvo para seus próximos pagamentos.`,
  }),
  agreement_cancelled: (v) => ({
    subject: 'Sua autorização de pagamentos automáticos foi cancelada',
    text: mail(
      'Olá,',
      [
        `A autorização que permitia a ${v.merchant} cobrar automaticamente no seu cartão de final ${v.last4} foi cancelada. ` +
          `Nenhum outro pagamento automático será feito com base nela.`,
        '',
        `Se você não esperava por isso, entre em contato com ${v.merchant}.`,
      ],
      `Atenciosamente,\n${v.merchant}`,
    ),
    sms: `${v.merchant}: pagamentos automáticos com o cartão *${v.last4} cancelados.`,
  }),
};
