export { buildApi, routeTable, routesOf, BODY_LIMIT_BYTES, type ApiDeps } from './build-api.js';
export { runApi, type RunningApi } from './run-api.js';
export { TokenRegistry, type Principal } from './auth.js';
export { openApiDocument } from './openapi.js';
export {
  CachedReadiness,
  checkReadiness,
  clickHouseCheck,
  kafkaCheck,
  redisCheck,
  type ReadinessCheck,
} from './readiness.js';
export { formatFromAccept, type ReportFormat, type ReportGenerator } from './reports.js';
export { API_LIMIT_DEFAULTS, apiSection, type AccountToken, type ApiConfig } from './config.js';
