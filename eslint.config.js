// ESLint over the mock's browser scripts: `npm run lint` (after `npm ci`), and tests/test_js_lint.py in the suite.
// There is no build step: the scripts share names through their load order, so each file is linted with
// the browser's globals plus the top-level names of the files loaded before it, read from where the mock
// itself takes that order:
//   chat-web/src  the parts of widget.js and core.js, in src/bundles.json's order, concatenated by
//                 api/assets.py into one strict-mode closure that starts with `var K = {}`;
//   dashboard     the <script> tags of dashboard/index.html, in order (they share window.Dash; the first,
//                 shared.js, is the widget's DOM builder and error reader);
//   demo          the page's inline script, which runs after widget.js has defined window.Kustomer.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const espree = require('espree');
const js = require('@eslint/js');
const globals = require('globals');
const html = require('eslint-plugin-html');

const SRC = 'mock_server/static/chat-web/src';
const DASHBOARD = 'mock_server/static/dashboard';
const DEMO = 'mock_server/static/demo';
const SHARED = { 'shared.js': SRC };   // the dashboard script api/pages.py serves from the widget's sources

/* The names a classic script declares at its top level: what the files loaded after it can use. */
function topLevelNames(file) {
  const program = espree.parse(fs.readFileSync(path.join(__dirname, file), 'utf8'),
    { ecmaVersion: 'latest', sourceType: 'script' });
  return program.body.flatMap((node) => {
    if (node.type === 'FunctionDeclaration' || node.type === 'ClassDeclaration') return [node.id.name];
    if (node.type === 'VariableDeclaration') return node.declarations.map((d) => d.id.name).filter(Boolean);
    return [];
  });
}

/* One config block per file: its globals are the names of the files before it in each order that has it
 * (an order: the names `given` before its first file, then its files). A file in several orders (an
 * engine part is in both bundles; shared.js also in the dashboard) gets only what every order gives it. */
function loadOrder(orders) {
  const allowed = new Map();   // file -> the names it may use
  for (const { given, files } of orders) {
    const before = new Set(given);
    for (const file of files) {
      const other = allowed.get(file);
      allowed.set(file, other ? new Set([...other].filter((n) => before.has(n))) : new Set(before));
      topLevelNames(file).forEach((n) => before.add(n));
    }
  }
  return [...allowed].map(([file, names]) => ({
    files: [file],
    languageOptions: { globals: Object.fromEntries([...names].map((n) => [n, 'readonly'])) },
  }));
}

function bundleOrders() {
  const order = JSON.parse(fs.readFileSync(path.join(__dirname, SRC, 'bundles.json'), 'utf8'));
  return Object.values(order.bundles).map((parts) => ({
    given: ['K'], files: order.engine.concat(parts).map((part) => `${SRC}/${part}`),
  }));
}

function dashboardOrder() {
  const page = fs.readFileSync(path.join(__dirname, DASHBOARD, 'index.html'), 'utf8');
  const names = [...page.matchAll(/<script src="\/__admin\/ui\/([\w.-]+\.js)"/g)].map((m) => m[1]);
  if (!names.length) throw new Error(`${DASHBOARD}/index.html: no <script src="/__admin/ui/..."> tag found`);
  return { given: [], files: names.map((name) => `${SHARED[name] || DASHBOARD}/${name}`) };
}

// Rules that catch bugs, not taste: the recommended set (no-undef, no-unused-vars, no-redeclare, ...) and more.
const RULES = {
  ...js.configs.recommended.rules,
  'no-unused-vars': ['error', { vars: 'all', args: 'after-used', caughtErrors: 'none' }],
  'no-redeclare': ['error', { builtinGlobals: true }],   // a part redeclaring an earlier part's name
  eqeqeq: 'error',
  'array-callback-return': 'error',
  'no-caller': 'error',
  'no-eval': 'error',
  'no-extend-native': 'error',
  'no-implied-eval': 'error',
  'no-loop-func': 'error',
  'no-new-func': 'error',
  'no-promise-executor-return': 'error',
  'no-self-compare': 'error',
  'no-sequences': 'error',
  'no-template-curly-in-string': 'error',
  'no-throw-literal': 'error',
  'no-unmodified-loop-condition': 'error',
  'no-unreachable-loop': 'error',
  'no-unused-expressions': 'error',
};

module.exports = [
  { ignores: ['.venv/', 'build/', 'dist/', 'test-artifacts/', '**/*.egg-info/'] },
  {
    files: ['mock_server/static/**/*.js', 'mock_server/static/**/*.html'],
    languageOptions: { ecmaVersion: 'latest', sourceType: 'script', globals: globals.browser },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: RULES,
  },
  {
    // one closure in strict mode (api/assets.py); shared.js, which the dashboard also loads outside
    // strict mode, keeps to code that means the same in both
    files: [`${SRC}/*.js`],
    languageOptions: { parserOptions: { ecmaFeatures: { impliedStrict: true } } },
  },
  ...loadOrder([...bundleOrders(), dashboardOrder()]),
  // separate script tags: a top-level name would be a property of window; they share window.Dash instead
  { files: [`${DASHBOARD}/*.js`], rules: { 'no-implicit-globals': 'error' } },
  { files: [`${DASHBOARD}/*.html`, `${DEMO}/*.html`], plugins: { html } },
  // the page's widget.js tag, before its inline script, defines window.Kustomer
  { files: [`${DEMO}/index.html`], languageOptions: { globals: { Kustomer: 'readonly' } } },
  {
    files: ['eslint.config.js'],
    languageOptions: { ecmaVersion: 'latest', sourceType: 'commonjs', globals: globals.node },
    rules: RULES,
  },
];
