// The browser journeys (test/e2e/*.e2e.ts): one real server started like `npm start` and Debian's
// Chromium driven by playwright-core, one spec at a time. `npm run test:e2e` builds first. Same
// transforms as the main suite (test/support is shared); the global setup starts the server.
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  roots: ['<rootDir>/test/e2e'],
  testRegex: '\\.e2e\\.ts$',
  // axe-core and playwright-core are CommonJS that must run untouched (axe reads the global 'this').
  transformIgnorePatterns: [...base.transformIgnorePatterns, '/node_modules/(axe-core|@axe-core|playwright-core)/'],
  globalSetup: '<rootDir>/test/e2e/global-setup.ts',
  globalTeardown: '<rootDir>/test/e2e/global-teardown.ts',
  testTimeout: 120_000,
  maxWorkers: 1,
};
