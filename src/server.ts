/**
 * `wasm-ipam/server`: the Node-only HTTP emulator, kept out of the main entry so that
 * browser bundles of `wasm-ipam` never reach node:http, node:fs or node:crypto.
 */
export { serve, type ServeSettings } from './server/serve.js';
export { createIpamServer, API_VERSION, DEFAULT_LIMITS, type CommittedCall, type ServerLimits, type ServerOptions } from './server/server.js';
export { DurableState, DurableStateError, type DurableOptions } from './server/durable.js';
