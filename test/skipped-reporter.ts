// Says, after the run, which tests did not run for want of a service and how to run them: without
// TEST_DATABASE_URL a green `npm test` would otherwise hide that a third of the suite never ran.
import type { Reporter, TestModule } from 'vitest/node';

const SERVICES = [
  {
    marker: 'skipped: TEST_DATABASE_URL is not set',
    what: 'PostgreSQL',
    how: 'TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm test (a server you can create databases on)',
  },
  { marker: 'skipped: REDIS_URL is not set', what: 'Redis', how: 'REDIS_URL=redis://127.0.0.1:6379 npm test' },
  { marker: 'skipped: /usr/bin/chromium is not installed', what: 'Chromium', how: 'apt-get install -y chromium, then npm test' },
];

export default class SkippedReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const lines: string[] = [];
    for (const service of SERVICES) {
      let count = 0;
      for (const module of testModules) for (const test of module.children.allTests('skipped')) if (test.fullName.includes(service.marker)) count++;
      if (count) lines.push(`  ${count} ${service.what} test${count === 1 ? ' was' : 's were'} skipped; to run ${count === 1 ? 'it' : 'them'}: ${service.how}`);
    }
    if (lines.length) process.stdout.write(`\nNot run for want of a service:\n${lines.join('\n')}\n`);
  }
}
