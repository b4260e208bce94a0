/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.jest.json' }] },
  testTimeout: 120000,
  // Two workers on a 2-core machine (jest's default leaves one: cores − 1). Much of the suite waits
  // on child processes (xsnap, openssl, the toolbox CLI, nfc-list) and loopback sockets: a fresh
  // clone ran 3,753 tests in 322 s with two workers against 575 s with one.
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/tests/plainSummary.js'],
};
