// Placeholder until the Stripe connector lands.
import type { Processor, ProcessorSettings } from '../../payments/processor.ts';
import type { ConnectorOptions } from '../../payments/processor-registry.ts';

export function createStripeProcessor(_settings: Extract<ProcessorSettings, { type: 'stripe' }>, _options: ConnectorOptions): Processor {
  throw new Error('the Stripe connector is not built yet');
}
