import type { Row } from '../translations.ts';

export const fr: Row = [
  'Numéro de carte', // number
  'Date d’expiration', // expiry
  'Code de sécurité', // cvc
  'Nom sur la carte', // holder
  '(facultatif)', // holderOptional
  'Enregistrer cette carte pour les prochains paiements', // save
  'Confirmer', // submit
  'Payer {amount}', // pay
  '+ Nouvelle carte', // newCard
  'Cartes enregistrées', // savedCards
  'Utiliser une carte enregistrée', // useCard
  'Expire fin {date}', // expires
  '{card} se terminant par {last4}, expire fin {date}', // cardEnding
  'Supprimer', // delete
  'Supprimer cette carte ?', // deleteConfirm
  'Supprimer cette carte ? Ses paiements automatiques prennent fin aussi.', // deleteConfirmAgreements
  'Oui, supprimer', // deleteYes
  'Non', // deleteNo
  'Code de sécurité de la carte {card}', // cvcFor
  'Confirmez le paiement auprès de votre banque', // challengeTitle
  'Terminez la vérification de votre banque ci-dessous.', // challengeWait
  'Ce numéro de carte n’est pas valide.', // errorNumber
  'Le numéro de carte est incomplet.', // errorNumberIncomplete
  'La date d’expiration n’est pas valide.', // errorExpiry
  'Cette carte a expiré.', // errorExpiryPast
  'Le code de sécurité n’est pas valide.', // errorCvc
  'Le code de sécurité est incorrect.', // errorCvcIncorrect
  'Cochez la case pour continuer.', // errorConsent
  'Cette page de paiement a expiré. Recommencez.', // errorSession
  'La carte a été refusée. Utilisez une autre carte.', // errorDeclined
  'Cette boutique est en mode test : utilisez une carte de test.', // errorTestCard
  'Le paiement a échoué. Vérifiez les informations ou utilisez une autre carte.', // errorGeneric
  'Traitement…', // processing
  'MM / AA', // expiryPlaceholder
];
