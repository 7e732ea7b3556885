export * from './infrastructure.js';
export * from './services.js';
export * from './wait.js';
export * from './checks.js';
export * from './schemathesis.js';
export * from './own-database.js';
export * from './ports.js';
