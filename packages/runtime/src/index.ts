export { backoffDelay, type BackoffOptions } from './backoff.js';
export { runService, type RunServiceOptions, type SignalSource } from './run-service.js';
export { serviceClosedBy, type Service } from './service.js';
