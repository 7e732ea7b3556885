export * from './sdn-list.js';
export * from './load-sdn.js';
export * from './normalize.js';
export * from './matcher.js';
export * from './sanctions-check.js';
export * from './pep-list.js';
