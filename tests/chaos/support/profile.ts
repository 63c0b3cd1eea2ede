/**
 * The numbers of one chaos run. `CHAOS_PROFILE=short` (the default, part of `npm test`) runs
 * every scenario with the same checks as `full` (`npm run test:chaos`), with shorter outages and
 * smaller streams.
 */
export interface ChaosProfile {
  name: 'short' | 'full';
  /** How long ClickHouse and Redis stay down. */
  outageMs: number;
  /** Event time the attacks are placed in; background traffic runs 4 minutes longer. */
  attackMinutes: number;
  /** Background events per second of event time (most of each stream). */
  backgroundPerSecond: number;
  /** Wall time over which a stream is produced (the event-time speed-up follows from it). */
  produceMs: number;
  /** Scales the ingest-kill scenario's production: bursts over a tenth each, the rest over 0.4. */
  killStreamProduceMs: number;
  /** Size and number of the oversized-string messages in the flood's bad half. */
  floodHugeBytes: number;
  floodHugeCount: number;
}

const PROFILES: Record<ChaosProfile['name'], ChaosProfile> = {
  short: {
    name: 'short',
    outageMs: 8_000,
    attackMinutes: 6,
    backgroundPerSecond: 40,
    produceMs: 12_000,
    killStreamProduceMs: 30_000,
    floodHugeBytes: 1024 * 1024,
    floodHugeCount: 6,
  },
  full: {
    name: 'full',
    outageMs: 30_000,
    attackMinutes: 12,
    backgroundPerSecond: 150,
    produceMs: 60_000,
    killStreamProduceMs: 60_000,
    floodHugeBytes: 5 * 1024 * 1024,
    floodHugeCount: 40,
  },
};

function selectProfile(): ChaosProfile {
  const name = process.env.CHAOS_PROFILE ?? 'short';
  if (name !== 'short' && name !== 'full') {
    throw new Error(`CHAOS_PROFILE must be short or full, got '${name}'`);
  }
  return PROFILES[name];
}

export const profile: ChaosProfile = selectProfile();
