// Builds the browser side: checkout.js (IIFE for the <script> tag, ESM for bundlers) and the
// fields' iframe app. Prints each bundle's gzip size against its budget and the SRI hash of
// checkout.js, writes dist/manifest.json for the server, and a .br and a .gz beside each file, which
// the server sends as they are to browsers that take them.
import crypto from 'node:crypto';
import fs from 'node:fs';
import zlib from 'node:zlib';
import commonjs from '@rollup/plugin-commonjs';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import replace from '@rollup/plugin-replace';
import terser from '@rollup/plugin-terser';
import esbuild from 'rollup-plugin-esbuild';

const { version } = JSON.parse(fs.readFileSync('package.json', 'utf8'));
const BUDGETS = { 'checkout.js': 5 * 1024, 'checkout.mjs': 5 * 1024, 'frame.js': 18 * 1024 };

/** eventemitter3 is replaced in the browser bundles by the part of it the RPC uses (widget/event-emitter.ts). */
const browserEventEmitter = () => ({
  name: 'browser-event-emitter',
  resolveId: (id) => (id === 'eventemitter3' ? new URL('./widget/event-emitter.ts', import.meta.url).pathname : null),
});

/** The fields take credit-card-type's matching without its run-time customisation API (iframe/card-type-matcher.cjs). */
const cardTypeMatcher = () => ({
  name: 'card-type-matcher',
  resolveId: (id) => (id === 'credit-card-type' ? new URL('./iframe/card-type-matcher.cjs', import.meta.url).pathname : null),
});

/**
 * The fields run nearly every function of frame.js before they say `ready` (the App's first render
 * reaches most of the bundle). V8 compiles a function lazily on its first call, on the frame's main
 * thread, inside that render. This comment on the first line (V8's explicit compile hints, Chrome 136
 * and later; other browsers ignore it) has V8 compile every function up front, on the thread that
 * streams the script in while the session is being read. Measured with marks inside the frame over
 * the browser bench's mounts on the 2-core machine: from the page's answer to `ready`, about 27 ms
 * without it and 23 ms with it. Rollup writes it as the bundle's banner; terser keeps that one
 * comment, which it matches by its text (the comment less its leading //).
 */
const COMPILE_HINT = '//# allFunctionsCalledOnLoad';
const KEEP_COMPILE_HINT = new RegExp(`^${COMPILE_HINT.slice(2)}$`);

/**
 * checkout.js runs on every shopper's browser the merchant's page supports: ES2019. The fields'
 * frame keeps `?.` and `??` as they are (ES2020: Chrome and Edge 80, Firefox 74, Safari 13.1), a
 * fifth of a kilobyte less to load.
 */
const plugins = (target = 'es2019', { keepComment = false } = {}) => [
  browserEventEmitter(),
  replace({ preventAssignment: true, values: { __VERSION__: JSON.stringify(version), 'process.env.NODE_ENV': JSON.stringify('production') } }),
  nodeResolve({ browser: true, extensions: ['.ts', '.tsx', '.js', '.mjs'] }),
  commonjs({ strictRequires: false }),
  esbuild({ target, jsx: 'automatic', jsxImportSource: 'preact', tsconfig: 'tsconfig.json' }),
  terser({ format: { comments: keepComment }, compress: { passes: 2 } }),
];

/** Reports sizes and hashes once everything is written. */
function report() {
  return {
    name: 'report',
    writeBundle() {
      const files = {};
      for (const file of ['checkout.js', 'checkout.mjs', 'frame.js', 'frame.css', 'dashboard.js', 'dashboard.css']) {
        const path = `dist/${file}`;
        if (!fs.existsSync(path)) continue;
        const body = fs.readFileSync(path);
        const gz = zlib.gzipSync(body, { level: 9 });
        const { BROTLI_PARAM_QUALITY, BROTLI_PARAM_SIZE_HINT } = zlib.constants;
        const br = zlib.brotliCompressSync(body, { params: { [BROTLI_PARAM_QUALITY]: 11, [BROTLI_PARAM_SIZE_HINT]: body.length } });
        fs.writeFileSync(`${path}.gz`, gz);
        fs.writeFileSync(`${path}.br`, br);
        files[file] = { bytes: body.length, gzip: gz.length, brotli: br.length, sri: `sha384-${crypto.createHash('sha384').update(body).digest('base64')}` };
      }
      fs.writeFileSync('dist/manifest.json', `${JSON.stringify({ version, files }, null, 2)}\n`);
      if (!files['frame.js'] || !files['checkout.js']) return;
      for (const [file, { gzip }] of Object.entries(files)) {
        const budget = BUDGETS[file];
        const verdict = budget ? (gzip <= budget ? 'ok' : 'OVER') : '';
        console.log(`  ${file.padEnd(13)} ${(gzip / 1024).toFixed(2).padStart(6)} KB gzip${budget ? `   budget ${budget / 1024} KB   ${verdict}` : ''}`);
      }
      console.log(`  checkout-${version}.js integrity="${files['checkout.js'].sri}"`);
    },
  };
}

/** The stylesheet of the fields, copied as it is (it is small and hand-written). */
function css() {
  return {
    name: 'frame-css',
    generateBundle() {
      this.emitFile({
        type: 'asset',
        fileName: 'frame.css',
        source: fs
          .readFileSync('iframe/frame.css', 'utf8')
          .replace(/\/\*[\s\S]*?\*\//g, '')
          .replace(/\s+/g, ' '),
      });
    },
  };
}

/** The dashboard's stylesheet: uPlot's own, then ours, with comments and runs of space taken out. */
function dashboardCss() {
  return {
    name: 'dashboard-css',
    generateBundle() {
      const text = ['node_modules/uplot/dist/uPlot.min.css', 'dashboard/dashboard.css'].map((f) => fs.readFileSync(f, 'utf8')).join('\n');
      this.emitFile({ type: 'asset', fileName: 'dashboard.css', source: text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\s+/g, ' ') });
    },
  };
}

/**
 * The webhook verifier for merchants' servers (`card-vault/webhooks`): plain JavaScript for Node 20,
 * ESM and CommonJS, Node's crypto its only import.
 */
const webhooks = {
  input: 'sdk/verify-webhook.ts',
  external: ['node:crypto'],
  output: [
    { file: 'dist/webhooks.mjs', format: 'es' },
    { file: 'dist/webhooks.cjs', format: 'cjs' },
  ],
  plugins: [esbuild({ target: 'node20', tsconfig: 'tsconfig.json' })],
};

/** The server SDK (`card-vault/server`): openapi-fetch bundled in, Node's crypto the only import. */
const serverSdk = {
  input: 'sdk/server-client.ts',
  external: ['node:crypto'],
  output: [
    { file: 'dist/server.mjs', format: 'es' },
    { file: 'dist/server.cjs', format: 'cjs', exports: 'named' },
  ],
  plugins: [nodeResolve({ extensions: ['.ts', '.js', '.mjs'] }), esbuild({ target: 'node20', tsconfig: 'tsconfig.json' })],
};

export default [
  webhooks,
  serverSdk,
  {
    input: 'widget/checkout-global.ts',
    output: { file: 'dist/checkout.js', format: 'iife', name: 'Checkout', exports: 'default' },
    plugins: plugins(),
  },
  {
    input: 'widget/index.ts',
    output: { file: 'dist/checkout.mjs', format: 'es' },
    plugins: plugins(),
  },
  // Before the fields: their build's report() reads every bundle's size, the dashboard's included.
  {
    input: 'dashboard/main.tsx',
    output: { file: 'dist/dashboard.js', format: 'iife' },
    plugins: [...plugins('es2020'), dashboardCss()],
  },
  {
    input: 'iframe/main.tsx',
    output: { file: 'dist/frame.js', format: 'iife', banner: COMPILE_HINT },
    plugins: [cardTypeMatcher(), ...plugins('es2020', { keepComment: KEEP_COMPILE_HINT }), css(), report()],
  },
];
