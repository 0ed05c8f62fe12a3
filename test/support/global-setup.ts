/**
 * Runs in Node for every project: serves the repository over real HTTP so the loader tests
 * fetch the wasm, a missing file and a wrong MIME type the same way in Node and in Chromium.
 */
import type { TestProject } from 'vitest/node';
import { startStaticServer } from './static-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URL of the repository served over HTTP, with a trailing slash. */
    repositoryUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startStaticServer(new URL('../../', import.meta.url));
  project.provide('repositoryUrl', server.url);
  return () => server.close();
}
