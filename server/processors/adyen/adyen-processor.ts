// Placeholder until the Adyen connector lands.
import type { Processor, ProcessorSettings } from '../../payments/processor.ts';
import type { ConnectorOptions } from '../../payments/processor-registry.ts';

export function createAdyenProcessor(_settings: Extract<ProcessorSettings, { type: 'adyen' }>, _options: ConnectorOptions): Processor {
  throw new Error('the Adyen connector is not built yet');
}
