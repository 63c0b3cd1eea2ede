export {
  Supervisor,
  runToCompletion,
  type ChildSpec,
  type SupervisorEvent,
  type SupervisorOptions,
} from './supervisor.js';
export { DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
export { prettyLine, type PrettyOptions } from './pretty.js';
export { localStackParts, endpointsBanner, type StackPart } from './local-stack-plan.js';
