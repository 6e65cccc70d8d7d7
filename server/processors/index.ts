// The real connectors, by type: the one place a provider plugs into the vault. Each connector exports
// one descriptor (payments/processor.ts Connector): its mode check, the key its account view shows,
// how it is built, and its answer to a notification. The processor registry builds from this map;
// merchant settings and the notification route ask it, and name no provider themselves.
import type { Connector, ConnectorSettings, ConnectorType, NotificationAck, ProcessorSettings, ProcessorType } from '../payments/processor.ts';
import { adyenConnector } from './adyen/adyen-connector.ts';
import { stripeConnector } from './stripe/stripe-connector.ts';

/** Every connector type of the protocol has its connector (this fails to compile otherwise). */
const CONNECTORS: { readonly [T in ConnectorType]: Connector<T> } = {
  stripe: stripeConnector,
  adyen: adyenConnector,
};

export function connectorOf<T extends ConnectorType>(type: T): Connector<T> {
  return CONNECTORS[type];
}

/** The answer to a provider's notifications when no connector says otherwise: any 2xx would do. */
const RECEIVED: NotificationAck = { json: { received: true } };

/** How to answer the deliveries of the provider of this type. */
export function notificationAck(type: ProcessorType): NotificationAck {
  return type === 'simulated' ? RECEIVED : connectorOf(type).notificationAck;
}

/** A key's secret part shorter than this shows no last four: they would be a quarter of it or more. */
const MIN_SHOWN_KEY_LENGTH = 16;

/**
 * The last four characters of the account's key, for the merchant's view of it: none for the simulated
 * processor, nor for a key so short that four characters would give away much of it.
 */
export function keyLast4(settings: ProcessorSettings): string | null {
  if (settings.type === 'simulated') return null;
  const secret = connectorOf(settings.type).credential(settings);
  return secret.length >= MIN_SHOWN_KEY_LENGTH ? secret.slice(-4) : null;
}

/** Refuses a real connector's settings of the other mode than the merchant's (ApiError). */
export function checkConnectorMode(settings: ConnectorSettings, live: boolean): void {
  connectorOf(settings.type).checkMode(settings, live);
}
