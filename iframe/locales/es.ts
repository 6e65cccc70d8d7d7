import type { Row } from '../translations.ts';

export const es: Row = [
  'Número de tarjeta', // number
  'Fecha de caducidad', // expiry
  'Código de seguridad', // cvc
  'Nombre en la tarjeta', // holder
  '(opcional)', // holderOptional
  'Guardar esta tarjeta para futuros pagos', // save
  'Confirmar', // submit
  'Pagar {amount}', // pay
  '+ Nueva tarjeta', // newCard
  'Tarjetas guardadas', // savedCards
  'Usar una tarjeta guardada', // useCard
  'Caduca {date}', // expires
  '{card} terminada en {last4}, caduca {date}', // cardEnding
  'Eliminar', // delete
  '¿Eliminar esta tarjeta?', // deleteConfirm
  '¿Eliminar esta tarjeta? Sus pagos automáticos también terminarán.', // deleteConfirmAgreements
  'Sí, eliminar', // deleteYes
  'No', // deleteNo
  'Código de seguridad de {card}', // cvcFor
  'Confirma el pago con tu banco', // challengeTitle
  'Completa la verificación de tu banco a continuación.', // challengeWait
  'Este número de tarjeta no es válido.', // errorNumber
  'El número de tarjeta está incompleto.', // errorNumberIncomplete
  'La fecha de caducidad no es válida.', // errorExpiry
  'Esta tarjeta ha caducado.', // errorExpiryPast
  'El código de seguridad no es válido.', // errorCvc
  'El código de seguridad es incorrecto.', // errorCvcIncorrect
  'Marca la casilla para continuar.', // errorConsent
  'Esta página de pago ha caducado. Vuelve a empezar.', // errorSession
  'La tarjeta fue rechazada. Usa otra tarjeta.', // errorDeclined
  'Esta tienda está en modo de prueba: usa una tarjeta de prueba.', // errorTestCard
  'El pago no se realizó. Revisa los datos o usa otra tarjeta.', // errorGeneric
  'Procesando…', // processing
  'MM / AA', // expiryPlaceholder
];
