import type { Row } from '../translations.ts';

export const pt: Row = [
  'Número do cartão', // number
  'Data de validade', // expiry
  'Código de segurança', // cvc
  'Nome no cartão', // holder
  '(opcional)', // holderOptional
  'Salvar este cartão para pagamentos futuros', // save
  'Confirmar', // submit
  'Pagar {amount}', // pay
  '+ Novo cartão', // newCard
  'Cartões salvos', // savedCards
  'Usar um cartão salvo', // useCard
  'Válido até {date}', // expires
  '{card} final {last4}, válido até {date}', // cardEnding
  'Excluir', // delete
  'Excluir este cartão?', // deleteConfirm
  'Excluir este cartão? Os pagamentos automáticos dele também terminam.', // deleteConfirmAgreements
  'Sim, excluir', // deleteYes
  'Não', // deleteNo
  'Código de segurança do {card}', // cvcFor
  'Confirme o pagamento com seu banco', // challengeTitle
  'Conclua a verificação do seu banco abaixo.', // challengeWait
  'Este número de cartão não é válido.', // errorNumber
  'O número do cartão está incompleto.', // errorNumberIncomplete
  'A data de validade não é válida.', // errorExpiry
  'Este cartão expirou.', // errorExpiryPast
  'O código de segurança não é válido.', // errorCvc
  'O código de segurança está incorreto.', // errorCvcIncorrect
  'Marque a caixa para continuar.', // errorConsent
  'Esta página de pagamento expirou. Comece de novo.', // errorSession
  'O cartão foi recusado. Use outro cartão.', // errorDeclined
  'Esta loja está em modo de teste: use um cartão de teste.', // errorTestCard
  'O pagamento falhou. Verifique os dados ou use outro cartão.', // errorGeneric
  'Processando…', // processing
  'MM / AA', // expiryPlaceholder
];
