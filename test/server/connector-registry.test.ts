// The real connectors plug into the vault through one map (server/processors/index.ts): every processor
// type of the contract but the simulated one has its connector, and what used to be written per
// provider elsewhere (the mode check, the key shown, the answer to a notification) comes from it.
import { describe, expect, it } from 'vitest';
import { ProcessorType } from '../../protocol/api.ts';
import { parseBaseUrls } from '../../server/env.ts';
import { ApiError } from '../../server/errors.ts';
import { CONNECTOR_TYPES } from '../../server/payments/processor.ts';
import { checkConnectorMode, connectorOf, keyLast4, notificationAck } from '../../server/processors/index.ts';

describe('the connector registry', () => {
  it('has a connector for every processor type of the contract but the simulated one', () => {
    expect([...CONNECTOR_TYPES]).toEqual(ProcessorType.options.filter((t) => t !== 'simulated'));
    for (const type of CONNECTOR_TYPES) expect(connectorOf(type).type).toBe(type);
  });

  it("answers each provider's notifications as it expects", () => {
    expect(notificationAck('adyen')).toEqual({ text: '[accepted]' });
    expect(notificationAck('stripe')).toEqual({ json: { received: true } });
  });

  it("shows the last four characters of the account's key, unless they would be a quarter of its secret part or more", () => {
    expect(keyLast4({ type: 'simulated' })).toBeNull();
    expect(keyLast4({ type: 'stripe', secret_key: 'sk_test_51Qabcdefgh_ijklWXYZ' })).toBe('WXYZ');
    expect(keyLast4({ type: 'adyen', api_key: 'AQE_key_long_enough_1234', merchant_account: 'Shop', environment: 'test' })).toBe('1234');
    // 12 characters after the prefix, and 12 in all: four would give a third of either away.
    expect(keyLast4({ type: 'stripe', secret_key: 'sk_test_abcdefghWXYZ' })).toBeNull();
    expect(keyLast4({ type: 'adyen', api_key: 'AQE_key_1234', merchant_account: 'Shop', environment: 'test' })).toBeNull();
  });

  it("refuses credentials of the other mode than the merchant's, naming the parameter", () => {
    const refusal = (f: () => void) => {
      try {
        f();
      } catch (err) {
        return err instanceof ApiError ? [err.code, err.extra.param] : err;
      }
      return undefined;
    };
    expect(refusal(() => checkConnectorMode({ type: 'stripe', secret_key: 'sk_live_abc' }, false))).toEqual(['parameter_invalid', 'processor.secret_key']);
    expect(refusal(() => checkConnectorMode({ type: 'stripe', secret_key: 'rk_live_abc' }, true))).toBeUndefined();
    const adyen = { type: 'adyen', api_key: 'AQE_key_1234', merchant_account: 'Shop' } as const;
    expect(refusal(() => checkConnectorMode({ ...adyen, environment: 'test' }, true))).toEqual(['parameter_invalid', 'processor.environment']);
    expect(refusal(() => checkConnectorMode({ ...adyen, environment: 'live' }, true))).toEqual(['parameter_missing', 'processor.live_url_prefix']);
    expect(refusal(() => checkConnectorMode({ ...adyen, environment: 'live', live_url_prefix: 'abc-Shop' }, true))).toBeUndefined();
  });

  it("takes PROCESSOR_BASE_URLS' names from the connectors", () => {
    expect(parseBaseUrls('stripe=http://127.0.0.1:12111/,adyen=http://127.0.0.1:8081')).toEqual({
      stripe: 'http://127.0.0.1:12111',
      adyen: 'http://127.0.0.1:8081',
    });
    expect(parseBaseUrls('paypal=http://127.0.0.1:1')).toBe('names stripe or adyen, not "paypal" (write stripe=URL,adyen=URL)');
  });
});
