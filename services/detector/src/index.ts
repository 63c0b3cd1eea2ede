export {
  runReplay,
  replayReport,
  type ReplayConfig,
  type ReplayOptions,
  type ReplayResult,
} from './replay/run-replay.js';
export { evaluateAt, findAll } from './evaluation.js';
export { IncidentManager } from './incident-manager.js';
export { runDetector } from './run-detector.js';
export { detectorSection, type DetectorConfig } from './config.js';
