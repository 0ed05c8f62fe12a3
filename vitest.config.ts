import { playwright } from '@vitest/browser-playwright';
import { configDefaults, defineConfig } from 'vitest/config';
import type { PropertySettings } from './test/support/settings.js';

/** Read here, in Node, and provided to both projects (the browser has no process.env). */
const property: PropertySettings = {
  scale: Number(process.env.WASM_IPAM_PROPERTY_SCALE ?? '1'),
  seed: process.env.WASM_IPAM_SEED ? Number(process.env.WASM_IPAM_SEED) : null,
  noShrink: process.env.WASM_IPAM_NO_SHRINK === '1',
};

/** The browser repeats the engine's property test at a fifth of the Node run's length. */
const BROWSER_PROPERTY_SHARE = 0.2;

/**
 * What runs in Chromium: the engine, the codec, the API's error codes, and the loader.
 * Everything else stays Node-only: the server tests (node:http, child processes, SIGKILL),
 * readme/reference (read files with node:fs), the bundle test (runs esbuild and Vite), and
 * the bench baselines and API property/malformed/state tests (pure JavaScript with no
 * browser-specific path, left out to keep the browser run short).
 * test/browser/ holds what only makes sense in a browser (importing the package over HTTP).
 */
const BROWSER_TESTS = [
  'test/engine.test.ts',
  'test/engine.property.test.ts',
  'test/cidr.test.ts',
  'test/api/operations.test.ts',
  'test/api/extensions.test.ts',
  'test/load.test.ts',
  'test/browser/**/*.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    globalSetup: ['test/support/global-setup.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/browser/**'],
          provide: { property },
        },
      },
      {
        extends: true,
        test: {
          name: 'chromium',
          include: BROWSER_TESTS,
          provide: { property: { ...property, scale: property.scale * BROWSER_PROPERTY_SHARE } },
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: playwright({
              launchOptions: {
                executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
                args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
              },
            }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
    ],
  },
});
