// Open sessions for the confirm benchmark, one per confirmation: opened under autocannon (far quicker
// than fetch in a loop) and topped up between slices, never during one, so that no slice runs dry.
import autocannon from 'autocannon';
import type { Slice } from './load.ts';
import { statuses } from './load.ts';

export const SESSION_BODY = JSON.stringify({ amount: 1999, currency: 'USD' });

export class SessionPool {
  private secrets: string[] = [];
  private taken = 0;
  /** Sessions opened a second, from the last opening: the first slice's estimate. */
  private openRate = 0;
  opened = 0;
  openSeconds = 0;

  constructor(private readonly o: { vaultUrl: string; secretKey: string; connections: number; sliceSeconds: number }) {}

  available = (): number => this.secrets.length - this.taken;

  take(): string {
    if (this.taken >= this.secrets.length) throw new Error('the session pool ran dry');
    return this.secrets[this.taken++];
  }

  /**
   * Before a slice: room for twice the most that one slice has used so far. A confirmation does more than
   * opening a session, so before any slice the rate sessions open at is the estimate.
   */
  topUp = async (previous: Slice[]): Promise<void> => {
    if (!this.openRate) await this.open(10 * this.o.connections);
    const perSlice = previous.length ? Math.max(...previous.map((s) => s.rps)) * this.o.sliceSeconds : this.openRate * this.o.sliceSeconds;
    const want = Math.ceil(2 * perSlice) + this.o.connections;
    if (this.available() < want) await this.open(want - this.available());
  };

  private async open(count: number): Promise<void> {
    const n = Math.max(count, this.o.connections);
    let unexpected = 0;
    const samples: string[] = [];
    const started = performance.now();
    const result = await autocannon({
      url: this.o.vaultUrl,
      connections: this.o.connections,
      amount: n,
      timeout: 10,
      sampleInt: 50,
      requests: [
        {
          method: 'POST',
          path: '/v1/sessions',
          headers: { authorization: `Bearer ${this.o.secretKey}`, 'content-type': 'application/json' },
          body: SESSION_BODY,
          onResponse: (status, body) => {
            if (status === 201) this.secrets.push(JSON.parse(body).client_secret);
            else if (++unexpected <= 3) samples.push(`${status} ${body.slice(0, 300)}`);
          },
        },
      ],
    });
    if (unexpected || result.errors || result.timeouts) {
      const counts = `${unexpected} unexpected answers, ${result.errors} errors, ${result.timeouts} timeouts (status ${statuses(result)})`;
      throw new Error(`opening the session pool: ${counts}\n    ${samples.join('\n    ')}`);
    }
    const seconds = (performance.now() - started) / 1000;
    this.openRate = n / seconds;
    this.opened += n;
    this.openSeconds += seconds;
  }
}
