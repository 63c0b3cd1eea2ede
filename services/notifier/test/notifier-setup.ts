import { Queue } from 'bullmq';
import { notificationJobId, QUEUES, type AlertNotification } from '@denyscope/alerts';
import { loadConfig } from '@denyscope/config';
import { createLogger, type Logger } from '@denyscope/telemetry';
import { stackEnv, testNames } from '@denyscope/testkit';
import type { Service } from '@denyscope/runtime';
import { notifierSection, runNotifier, type SinkId } from '../src/index.js';

export interface LogLine {
  msg: string;
  level: string;
  [field: string]: unknown;
}

export interface NotifierSetup {
  prefix: string;
  env: Record<string, string>;
  /** Every log line every notifier of this test wrote. */
  logs: LogLine[];
  rawLogs: string[];
  /** Adds a notification to the alerts queue as the detector does. */
  add(notification: AlertNotification, jobId?: string): Promise<void>;
  /** A queue handle, for looking at sink jobs. */
  queue(name: string): Queue;
  sinkQueue(sink: SinkId): Queue;
  start(): Promise<Service>;
  /** True when no job is waiting, active or delayed on the alerts queue and the given sinks. */
  idle(sinks: SinkId[]): Promise<boolean>;
  cleanup(): Promise<void>;
}

/** A notifier world of its own: a random BULLMQ_PREFIX, removed with all its keys at the end. */
export function notifierSetup(env: Record<string, string>): NotifierSetup {
  const prefix = `test-notifier-${testNames('notifier').suffix}`;
  const fullEnv = { REDIS_URL: stackEnv.REDIS_URL, BULLMQ_PREFIX: prefix, ...env };
  const config = loadConfig(fullEnv, { notifier: notifierSection });
  const rawLogs: string[] = [];
  const logs: LogLine[] = [];
  const log: Logger = createLogger({
    service: 'notifier',
    level: 'debug',
    destination: {
      write(line: string) {
        rawLogs.push(line);
        logs.push(JSON.parse(line) as LogLine);
      },
    },
  });
  const queues = new Map<string, Queue>();
  const running: Service[] = [];

  const queue = (name: string) => {
    let handle = queues.get(name);
    if (handle === undefined) {
      handle = new Queue(name, { connection: { url: stackEnv.REDIS_URL }, prefix });
      handle.on('error', () => undefined);
      queues.set(name, handle);
    }
    return handle;
  };

  return {
    prefix,
    env: fullEnv,
    logs,
    rawLogs,
    queue,
    sinkQueue: (sink) => queue(QUEUES.sink(sink)),
    async add(notification, jobId = notificationJobId(notification)) {
      await queue(QUEUES.alerts).add('alert', notification, { jobId });
    },
    async start() {
      const notifier = await runNotifier(config, log);
      running.push(notifier);
      return notifier;
    },
    async idle(sinks) {
      for (const name of [QUEUES.alerts, ...sinks.map((sink) => QUEUES.sink(sink))]) {
        const counts = await queue(name).getJobCounts('waiting', 'active', 'delayed');
        if ((counts.waiting ?? 0) + (counts.active ?? 0) + (counts.delayed ?? 0) > 0) return false;
      }
      return true;
    },
    async cleanup() {
      await Promise.all(running.map((notifier) => notifier.stop()));
      const client = await queue(QUEUES.alerts).client;
      let cursor = '0';
      do {
        const [next, keys] = await client.scan(cursor, { MATCH: `${prefix}:*`, COUNT: 500 });
        if (keys.length > 0) await client.del(...keys);
        cursor = next;
      } while (cursor !== '0');
      await Promise.all([...queues.values()].map((handle) => handle.close()));
    },
  };
}
