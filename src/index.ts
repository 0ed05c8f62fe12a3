export * from './cidr/index.js';
export * from './engine/index.js';
export * from './api/index.js';
