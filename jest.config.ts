import type { Config } from 'jest';

// ESM all the way (got is ESM-only): ts-jest transpiles each file in isolation
// and jest runs it as an ES module (NODE_OPTIONS=--experimental-vm-modules).
const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // cookie@2 is ESM-only; fastify's CJS internals require() it, which Node 20 allows but jest's module
    // system does not. cookie@1.1 (CJS) has the same API, so tests load that (dev dependency cookie-cjs).
    '^cookie$': '<rootDir>/node_modules/cookie-cjs/dist/index.js',
  },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
  testTimeout: 20000,
  globalSetup: '<rootDir>/test/global-setup.ts',
};

export default config;
