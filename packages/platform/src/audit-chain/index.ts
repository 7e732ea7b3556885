export * from './chain.js';
export * from './verify.js';
