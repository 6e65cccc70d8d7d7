import { defineConfig } from 'vitest/config';

// Server and end-to-end tests run in node; widget and iframe tests mount into happy-dom.
export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  test: {
    reporters: ['default', './test/skipped-reporter.ts'],
    // happy-dom reports each iframe it was told not to load; the widget tests expect exactly that.
    onConsoleLog: (log: string) => !log.includes('Iframe page loading is disabled'),
    projects: [
      {
        extends: true,
        test: { name: 'server', environment: 'node', include: ['test/server/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 60_000 },
      },
      {
        extends: true,
        test: {
          name: 'browser-unit',
          environment: 'happy-dom',
          include: ['test/widget/**/*.test.{ts,tsx}', 'test/iframe/**/*.test.{ts,tsx}', 'test/dashboard/**/*.test.{ts,tsx}'],
          // The page never loads the real vault in unit tests: the frame's side is played by the test.
          environmentOptions: { happyDOM: { url: 'http://shop.test/checkout', settings: { navigation: { disableChildFrameNavigation: true } } } },
        },
      },
      {
        extends: true,
        test: { name: 'e2e', environment: 'node', include: ['test/e2e/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 120_000, fileParallelism: false },
      },
    ],
  },
});
