export * from './fields.js';
export * from './writer.js';
export * from './parser.js';
export * from './returns.js';
export * from './summary.js';
