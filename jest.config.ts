import type { Config } from 'jest';

// ESM all the way (got is ESM-only): ts-jest transpiles each file in isolation
// and jest runs it as an ES module (NODE_OPTIONS=--experimental-vm-modules).
const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
  testTimeout: 20000,
  globalSetup: '<rootDir>/test/global-setup.ts',
};

export default config;
