export { parseSimulateOptions, type SimulateOptions, type RawSimulateOptions } from './options.js';
export { runSimulator, type ScenarioAnnouncement, type SimulatorResult } from './run-simulator.js';
export { kafkaSink, fileSink, type EventSink } from './sinks.js';
export { TokenBucket, RateMeter } from './token-bucket.js';
export { TrafficPlan, deriveSeed } from './traffic-plan.js';
