import { apiSection } from '@denyscope/api';
import { loadConfig, type ConfigOf } from '@denyscope/config';
import { detectorSection } from '@denyscope/detector';
import { ingestSection } from '@denyscope/ingest';
import { notifierSection } from '@denyscope/notifier';
import { reporterSection } from '@denyscope/reporter';
import { simulatorSection } from './simulator/config.js';

// The whole configuration: the shared section (@denyscope/config) and every service's section,
// each declared beside its service (services/<service>/src/config.ts; the simulator's in
// ./simulator). Every `denyscope` command validates all of it, so a bad variable of any service
// stops any command before it starts (a bad NOTIFY_* stops `denyscope ingest` too): one deployment
// shares one environment, and a mistake should not wait for the service that reads it.

/** Every section, by the name its settings take in the configuration. */
export const ALL_SECTIONS = {
  detector: detectorSection,
  ingest: ingestSection,
  notifier: notifierSection,
  reporter: reporterSection,
  api: apiSection,
  simulator: simulatorSection,
};

/** Every setting of every service: what `denyscope` commands (and callers needing all) take. */
export type Config = ConfigOf<typeof ALL_SECTIONS>;

/** The whole configuration from `env`; throws ConfigError naming every bad variable. */
export function loadAllConfig(env: Record<string, string | undefined> = process.env): Config {
  return loadConfig(env, ALL_SECTIONS);
}
