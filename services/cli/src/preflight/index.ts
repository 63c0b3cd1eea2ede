export { preflight, type Dependency, type PreflightLog } from './preflight.js';
export { ConnectionSetupError } from './setup-error.js';
