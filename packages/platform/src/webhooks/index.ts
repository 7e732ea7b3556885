export * from './signing.js';
export * from './schedule.js';
export * from './subscriptions.js';
export * from './deliveries.js';
export * from './delivery-log.js';
export * from './dispatcher.js';
export * from './enqueue.js';
export * from './routes.js';
