import {
  escapeTerminal,
  QUEUES,
  RULE_IDS,
  type AlertNotification,
  type RuleId,
} from '@denyscope/alerts';
import { createClickHouseClient } from '@denyscope/clickhouse';
import { redisConnectionOptions } from '@denyscope/config';
import { subjectKeyOf } from '@denyscope/detections';
import {
  acknowledgeIncident,
  listAlerts,
  RedisIncidentStore,
  type AlertSummary,
} from '@denyscope/incidents';
import { Command, InvalidArgumentError, Option } from 'commander';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { userInfo } from 'node:os';
import { parseDuration } from './durations.js';
import { configOrExit } from './shared.js';

function ruleId(value: string): RuleId {
  if (!(RULE_IDS as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`unknown rule; one of ${RULE_IDS.join(', ')}`);
  }
  return value as RuleId;
}

/** What a mute can name: a key, an address, or a component of pipeline-health. */
interface SubjectOptions {
  rule: RuleId;
  key?: string;
  ip?: string;
  component?: string;
}

/**
 * The subject key a mute is stored under (as the detector keys incidents). A component
 * (`partition:<topic>/<n>`, `rule:<id>`) is the subject of pipeline-health incidents only, so
 * on-call can silence one partition's operational alert and keep every other one.
 */
function subjectOf(options: SubjectOptions): string {
  const given = [options.key, options.ip, options.component].filter((v) => v !== undefined);
  if (given.length !== 1) {
    throw new InvalidArgumentError(
      'give exactly one of --key <key_id>, --ip <client_ip> or --component <component>',
    );
  }
  if (options.key !== undefined) return subjectKeyOf({ key_id: options.key });
  if (options.ip !== undefined) return subjectKeyOf({ client_ip: options.ip });
  if (options.rule !== 'pipeline-health') {
    throw new InvalidArgumentError('--component goes with --rule pipeline-health only');
  }
  return subjectKeyOf({ component: options.component ?? '' });
}

/** The alerts queue on `redis`, for as long as `fn` runs. */
async function withAlertsQueue<T>(
  redis: Redis,
  fn: (queue: Queue<AlertNotification>) => Promise<T>,
): Promise<T> {
  const config = configOrExit();
  const queue = new Queue<AlertNotification>(QUEUES.alerts, {
    connection: redis,
    prefix: config.redis.bullmqPrefix,
  });
  try {
    return await fn(queue);
  } finally {
    await queue.close();
  }
}

async function withStore<T>(
  fn: (store: RedisIncidentStore, redis: Redis) => Promise<T>,
): Promise<T> {
  const config = configOrExit();
  const redis = new Redis({ ...redisConnectionOptions(config.redis), maxRetriesPerRequest: 3 });
  try {
    return await fn(
      new RedisIncidentStore(redis, config.redis.bullmqPrefix, {
        resolvedTtlMs: config.detector.resolvedTtlMs,
      }),
      redis,
    );
  } finally {
    redis.disconnect();
  }
}

async function withClickHouse<T>(
  fn: (client: ReturnType<typeof createClickHouseClient>) => Promise<T>,
): Promise<T> {
  const config = configOrExit();
  const client = createClickHouseClient(config.clickhouse);
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

/**
 * One incident of `alerts list` as printed: a line with its state, then its summary, indented.
 * IDs and summaries come from events, so every field is printed through escapeTerminal: an
 * ESC/OSC sequence or a CR/LF in a key ID shows as `\u001b` text instead of recolouring the
 * terminal or forging an entry.
 */
export function alertListEntry(row: AlertSummary): string {
  const t = escapeTerminal;
  const flags = [row.acknowledged ? 'acked' : '', row.muted ? 'muted' : '']
    .filter(Boolean)
    .join(',');
  const subject = row.key_id || row.client_ip || row.component;
  return `${t(row.alert_id)}  ${t(row.status).padEnd(8)} ${t(row.severity).padEnd(8)} ${t(row.rule).padEnd(24)} ${t(subject)}  ${t(row.last_seen)}${flags ? `  [${flags}]` : ''}\n    ${t(row.summary)}\n`;
}

/**
 * One incident of `alerts list --json`: the same values as JSON.stringify, but what it leaves raw
 * (C1 controls, bidi controls, U+2028/2029) is written as `\uXXXX` escapes, still valid JSON.
 */
export function alertListJson(row: AlertSummary): string {
  return `${escapeTerminal(JSON.stringify(row))}\n`;
}

const who = () => process.env.USER ?? userInfo().username;

export function alertsCommand(): Command {
  const alerts = new Command('alerts').description('list, acknowledge and mute incidents');

  alerts
    .command('list')
    .description('incidents, newest first (from the ClickHouse alerts table)')
    .addOption(
      new Option('--status <status>', 'only firing or resolved').choices(['firing', 'resolved']),
    )
    .option('--rule <rule>', 'only this rule', ruleId)
    .option('--limit <n>', 'at most this many', (v) => Number.parseInt(v, 10), 50)
    .option('--json', 'one JSON object per line')
    .action(async (options: { status?: string; rule?: string; limit: number; json?: boolean }) => {
      const rows = await withClickHouse((client) => listAlerts(client, options));
      for (const row of rows) {
        if (options.json) {
          process.stdout.write(alertListJson(row));
          continue;
        }
        process.stdout.write(alertListEntry(row));
      }
      if (rows.length === 0 && !options.json) process.stdout.write('no incidents\n');
    });

  alerts
    .command('ack')
    .description(
      'acknowledge an incident: recorded with who and why, and a firing page is acknowledged in ' +
        'PagerDuty (it stops escalating); later state changes are still notified',
    )
    .argument('<alert_id>')
    .option('--note <text>', 'why, or what is being done', '')
    .action(async (alertId: string, options: { note: string }) => {
      const outcome = await withClickHouse((clickhouse) =>
        withStore((store, redis) =>
          withAlertsQueue(redis, (alertsQueue) =>
            acknowledgeIncident({ clickhouse, store, alertsQueue }, alertId, who(), options.note),
          ),
        ),
      );
      const shown = escapeTerminal(alertId);
      if (!outcome.found) {
        process.stderr.write(`no incident ${shown}\n`);
        process.exitCode = 1;
        return;
      }
      process.stdout.write(
        outcome.passedOn
          ? `acknowledged ${shown} (passed on to PagerDuty and the log)\n`
          : `acknowledged ${shown} (recorded only: ${outcome.reason})\n`,
      );
    });

  alerts
    .command('mute')
    .description(
      'stop notifying one rule for one subject for a while (incidents are still recorded)',
    )
    .requiredOption('--rule <rule>', 'the rule', ruleId)
    .option('--key <key_id>', 'the subject key')
    .option('--ip <client_ip>', 'the subject IP (distributed-enumeration)')
    .option(
      '--component <component>',
      'a pipeline-health component, e.g. partition:api-logs/3 or rule:cross-tenant',
    )
    .requiredOption('--for <duration>', 'how long, e.g. 2h or 7d', parseDuration)
    .requiredOption('--reason <text>', 'why (shown with the mute)')
    .action(async (options: SubjectOptions & { for: number; reason: string }) => {
      const subjectKey = subjectOf(options);
      const until = new Date(Date.now() + options.for).toISOString();
      await withStore((store) =>
        store.mute({ rule: options.rule, subjectKey, reason: options.reason, until, by: who() }),
      );
      process.stdout.write(`muted ${options.rule} for ${subjectKey} until ${until}\n`);
    });

  alerts
    .command('unmute')
    .description('end a mute')
    .requiredOption('--rule <rule>', 'the rule', ruleId)
    .option('--key <key_id>', 'the subject key')
    .option('--ip <client_ip>', 'the subject IP')
    .option('--component <component>', 'the pipeline-health component')
    .action(async (options: SubjectOptions) => {
      const subjectKey = subjectOf(options);
      const removed = await withStore((store) => store.unmute(options.rule, subjectKey));
      process.stdout.write(
        removed ? `unmuted ${options.rule} for ${subjectKey}\n` : 'no such mute\n',
      );
    });

  alerts
    .command('mutes')
    .description('list active mutes')
    .action(async () => {
      const mutes = await withStore((store) => store.listMutes());
      for (const mute of mutes) {
        process.stdout.write(
          `${mute.rule}  ${escapeTerminal(mute.subjectKey)}  until ${mute.until}  by ${escapeTerminal(mute.by)}: ${escapeTerminal(mute.reason)}\n`,
        );
      }
      if (mutes.length === 0) process.stdout.write('no active mutes\n');
    });

  return alerts;
}
