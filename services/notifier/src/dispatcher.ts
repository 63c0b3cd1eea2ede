import { UnrecoverableError, type Job, type JobsOptions, type Queue } from 'bullmq';
import { JOB_RETENTION, notificationJobId } from '@denyscope/alerts';
import type { Logger } from '@denyscope/telemetry';
import { InvalidNotificationError } from './errors.js';
import { sinkJobId } from './job-ids.js';
import {
  NOT_FINISHED,
  predecessorVersion,
  waitForPredecessor,
  type JobStateOf,
} from './ordering.js';
import { chooseSinks } from './routing.js';
import { SINK_BACKOFF_TYPE } from './retry-delay.js';
import type { NotifierConfig, SinkId } from './sinks/sink.js';
import { parseNotification } from './validate.js';

/**
 * Options of every sink job. Finished jobs are kept, not deleted: while a job's key exists, adding
 * its ID again is a no-op, and that is what stops a retried dispatch, a second notifier or a
 * restart from delivering twice. So the dedup window is 7 days after delivery and 30 days after a
 * final failure (kept longer to be inspected), and a count bounds Redis in a flood (JOB_RETENTION).
 */
export function sinkJobOptions(config: NotifierConfig): JobsOptions {
  return {
    attempts: config.attempts,
    backoff: { type: SINK_BACKOFF_TYPE, delay: config.backoffMs },
    removeOnComplete: { ...JOB_RETENTION.completed },
    removeOnFail: { ...JOB_RETENTION.failed },
  };
}

/**
 * The processor of the alerts queue: validate, route, and fan out one job per chosen sink onto that
 * sink's own queue. It never calls a sink itself, so one slow sink cannot hold back the others.
 */
export function createDispatchProcessor(deps: {
  config: NotifierConfig;
  queues: ReadonlyMap<SinkId, Queue>;
  log: Logger;
  /** The state of a job of the alerts queue ('unknown' when it does not exist). */
  alertJobState: JobStateOf;
}): (job: Job, token?: string) => Promise<SinkId[]> {
  const { config, queues, log } = deps;
  const options = sinkJobOptions(config);
  return async (job, token) => {
    let notification;
    try {
      notification = parseNotification(job.data);
    } catch (error) {
      if (!(error instanceof InvalidNotificationError)) throw error;
      log.error({ jobId: job.id, problems: error.problems }, 'invalid alert notification; dropped');
      throw new UnrecoverableError(error.message);
    }
    const { alert, transition, version } = notification;
    // Dispatched after its predecessor (see ordering.ts); none for a muted change.
    const predecessor = predecessorVersion(notification);
    if (predecessor !== null) {
      const previous = notificationJobId({ alert, version: predecessor });
      const state = await deps.alertJobState(previous);
      log.debug({ alertId: alert.alert_id, version, previous, state }, 'previous state change');
      await waitForPredecessor(job, token, { state, pending: NOT_FINISHED });
    }
    const targets = chooseSinks(alert, config.sinks, transition).flatMap((id) => {
      const queue = queues.get(id);
      return queue === undefined ? [] : [{ id, queue }];
    });
    // All or nothing is not needed: if one add fails the job is retried, and the adds that
    // already happened are no-ops the second time (same job IDs).
    await Promise.all(
      targets.map(({ id, queue }) =>
        queue.add('deliver', notification, { ...options, jobId: sinkJobId(notification, id) }),
      ),
    );
    const sinks = targets.map(({ id }) => id);
    log.info(
      {
        alertId: alert.alert_id,
        rule: alert.rule,
        severity: alert.severity,
        transition,
        version,
        sinks,
      },
      sinks.length > 0 ? 'dispatched' : 'no sink routed; not sent',
    );
    return sinks;
  };
}
