import { UnrecoverableError, type Job } from 'bullmq';
import {
  getTracer,
  linkToTrace,
  SPAN_NAMES,
  SpanKind,
  withSpan,
  type Logger,
  type Span,
} from '@denyscope/telemetry';
import type { AlertNotification } from '@denyscope/alerts';
import type { DeliveryLedger } from './delivery-ledger.js';
import { InvalidNotificationError, isRetriable, SinkHttpError } from './errors.js';
import { sinkJobId } from './job-ids.js';
import {
  NOT_STARTED_OR_RUNNING,
  predecessorVersion,
  waitForPredecessor,
  type JobStateOf,
} from './ordering.js';
import type { Sink, SinkId } from './sinks/sink.js';
import { parseNotification } from './validate.js';

/**
 * The processor of one sink's queue: deliver, and tell BullMQ whether a failure is worth a retry.
 * Retriable errors are rethrown (BullMQ retries with the job's backoff); permanent ones become
 * UnrecoverableError so the job fails at once instead of hammering a sink that said no.
 */
export function createDeliveryProcessor(
  id: SinkId,
  sink: Sink,
  ledger: DeliveryLedger,
  log: Logger,
  /** The state of a job of this sink's queue ('unknown' when it does not exist). */
  sinkJobState: JobStateOf,
): (job: Job, token?: string) => Promise<void> {
  return async (job, token) => {
    const attempt = job.attemptsMade + 1;
    const attempts = job.opts.attempts ?? 1;
    let notification;
    try {
      notification = parseNotification(job.data);
    } catch (error) {
      if (!(error instanceof InvalidNotificationError)) throw error;
      log.error(
        { sink: id, jobId: job.id, problems: error.problems },
        'invalid delivery job; dropped',
      );
      throw new UnrecoverableError(error.message);
    }
    const fields: DeliveryFields = {
      sink: id,
      host: sink.target,
      alertId: notification.alert.alert_id,
      transition: notification.transition,
      version: notification.version,
      attempt,
      attempts,
    };
    // One span per delivery attempt, linked to the detector's evaluation that raised the alert
    // (evidence.trace_id/span_id, present when the detector exported spans). Its child is the
    // sink's HTTP request (undici instrumentation); its log lines carry its trace_id.
    const link = linkToTrace(notification.alert.evidence);
    return withSpan(
      tracer,
      SPAN_NAMES.notifierDeliver,
      {
        'denyscope.sink': id,
        'server.address': sink.target,
        'denyscope.alert.id': fields.alertId,
        'denyscope.alert.transition': fields.transition,
        'denyscope.alert.version': fields.version,
        'denyscope.delivery.attempt': attempt,
      },
      (span) => deliver(span, job, token, notification, fields),
      { kind: SpanKind.CONSUMER, ...(link === undefined ? {} : { links: [link] }) },
    );
  };

  async function deliver(
    span: Span,
    job: Job,
    token: string | undefined,
    notification: AlertNotification,
    fields: DeliveryFields,
  ): Promise<void> {
    // Version n waits while version n - 1 is still to run or running on this sink (see
    // ordering.ts). Not while it waits out a retry delay: a trigger that keeps failing must not
    // hold back the resolve after it, and the ledger then skips it (see "Ordering" in the docs).
    // An acknowledgement of version n waits for version n itself, the page it acknowledges.
    const acknowledgement = notification.transition === 'acknowledged';
    const predecessor = predecessorVersion(notification);
    if (predecessor !== null) {
      const state = await sinkJobState(
        sinkJobId({ alert: notification.alert, version: predecessor }, id),
      );
      await waitForPredecessor(job, token, { state, pending: NOT_STARTED_OR_RUNNING });
    }
    const latest = await ledger.latest(id, fields.alertId);
    // A newer state change (a resolve) supersedes an acknowledgement of an older one.
    if (acknowledgement ? latest > notification.version : latest >= notification.version) {
      span.setAttribute('denyscope.delivery.outcome', 'superseded');
      log.info({ ...fields, latest }, 'superseded by a newer notification; skipped');
      return;
    }
    try {
      await sink.deliver(notification);
    } catch (error) {
      const details = describe(error);
      if (isRetriable(error)) {
        const last = fields.attempt >= fields.attempts;
        log[last ? 'error' : 'warn'](
          { ...fields, ...details },
          last ? 'delivery failed; out of attempts' : 'delivery failed; will retry',
        );
        throw error;
      }
      log.error({ ...fields, ...details }, 'delivery rejected; not retrying');
      throw new UnrecoverableError(error instanceof Error ? error.message : String(error));
    }
    span.setAttribute('denyscope.delivery.outcome', 'delivered');
    log.info(fields, 'delivered');
    // Delivered is delivered: failing the job now would only send it again.
    await ledger
      .record(id, fields.alertId, notification.version)
      .catch((error: unknown) =>
        log.warn({ ...fields, error: String(error) }, 'could not record the delivery for ordering'),
      );
  }
}

const tracer = getTracer();

interface DeliveryFields {
  sink: SinkId;
  host: string;
  alertId: string;
  transition: AlertNotification['transition'];
  version: number;
  attempt: number;
  attempts: number;
}

// Logged instead of the raw error: a fetch error's cause chain is not ours to vet for secrets.
function describe(error: unknown): Record<string, unknown> {
  if (error instanceof SinkHttpError) {
    return {
      error: `${error.name}: ${error.message}`,
      status: error.status,
      retryAfterMs: error.retryAfterMs,
      response: error.responseExcerpt,
    };
  }
  return { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
}
