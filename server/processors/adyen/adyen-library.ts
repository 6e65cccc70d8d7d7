// The official Adyen library (@adyen/api-library), as this ESM code base can use it. The package is
// CommonJS: Node's ESM view of it names only some exports (Types, hmacValidator, EnvironmentEnum),
// so the classes are read from its module object, and the Checkout typings are re-exported as types.
import { createRequire } from 'node:module';
import * as namespace from '@adyen/api-library';
import type { Types } from '@adyen/api-library';
import type ApiExceptionClass from '@adyen/api-library/lib/src/services/exception/apiException';

// Node hands a CommonJS module's exports over as `default`; a bundler may hand them over as they are.
const adyen = ((namespace as unknown as { default?: typeof namespace }).default ?? namespace) as typeof namespace;

export const { Client, CheckoutAPI, HttpClientException, hmacValidator, EnvironmentEnum } = adyen;
export type AdyenClient = InstanceType<typeof adyen.Client>;
export type AdyenCheckout = InstanceType<typeof adyen.CheckoutAPI>;
export type HttpClientExceptionType = InstanceType<typeof adyen.HttpClientException>;

/** The library's own error for a request that got no HTTP answer (what its HttpURLConnectionClient throws); not exported by its index. */
export const ApiException: typeof ApiExceptionClass = createRequire(import.meta.url)('@adyen/api-library/lib/src/services/exception/apiException').default;

/** The Checkout API models at run time (their enums). */
export const Checkout = adyen.Types.checkout;

export type PaymentRequest = Types.checkout.PaymentRequest;
export type PaymentResponse = Types.checkout.PaymentResponse;
export type PaymentDetailsRequest = Types.checkout.PaymentDetailsRequest;
export type PaymentDetailsResponse = Types.checkout.PaymentDetailsResponse;
export type CardDetails = Types.checkout.CardDetails;
export type PaymentRefundRequest = Types.checkout.PaymentRefundRequest;
export type PaymentRefundResponse = Types.checkout.PaymentRefundResponse;
export type PaymentCancelRequest = Types.checkout.PaymentCancelRequest;
export type PaymentCancelResponse = Types.checkout.PaymentCancelResponse;
export type StandalonePaymentCancelRequest = Types.checkout.StandalonePaymentCancelRequest;
export type StandalonePaymentCancelResponse = Types.checkout.StandalonePaymentCancelResponse;
export type CheckoutRedirectAction = Types.checkout.CheckoutRedirectAction;
export type CheckoutThreeDS2Action = Types.checkout.CheckoutThreeDS2Action;
export type NotificationRequestItem = Types.notification.NotificationRequestItem;
export type Notification = Types.notification.Notification;
