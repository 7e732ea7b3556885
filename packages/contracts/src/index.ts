export * from './money.js';
export * from './envelope.js';
export * from './topics.js';
export * from './registry.js';
export * from './events/loan-approved.v1.js';
export * from './catalog.js';
export * from './compat.js';
export * from './fixtures.js';
