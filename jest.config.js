/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  // tsconfig's isolatedModules makes ts-jest transpile only; type-checking is its own step (`tsc --noEmit`).
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testTimeout: 30000,
  // Two cores: suites that wait on terraform or suricata overlap well with two workers.
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/__tests__/helpers/summary-reporter.js'],
};
