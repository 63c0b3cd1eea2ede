import type { Consumer, fetchV17 } from '@platformatic/kafka';

type FetchResponse = fetchV17.FetchResponse;
type FetchArgs = Parameters<Consumer['fetch']>[0];
type FetchCallback = (error: Error | null, response?: FetchResponse) => void;

/** What each delivered message's metadata carries: the epoch of the fetch that read it. */
export const EPOCH = 'denyscopeEpoch';

/**
 * Sits between @platformatic/kafka's MessagesStream and Consumer.fetch (the public method the
 * stream calls for every fetch) to give ingest what kafkajs's eachBatch gives it:
 *
 * - Epochs. The stream re-reads committed offsets after a group join, but a fetch sent before
 *   the join can answer after that, and the stream would then push its records and move the
 *   partition's position past everything ingest just dropped (lost until the next restart). A
 *   response to a fetch of an older epoch is emptied here, and every record is tagged with its
 *   epoch so that records buffered before the join are recognised and dropped by the reader.
 * - High watermarks per partition (the stream does not expose them): ingest reports the lag
 *   after each batch, and the detector waits for partitions with a backlog.
 */
export class FetchTap {
  epoch = 0;
  private readonly highWatermarks = new Map<string, bigint>();

  constructor(private readonly consumer: Consumer) {
    const fetch = consumer.fetch.bind(consumer) as (o: FetchArgs, cb: FetchCallback) => void;
    // Only the callback form is used by the stream; the promise form is not wrapped.
    consumer.fetch = ((options: FetchArgs, callback?: FetchCallback) => {
      if (callback === undefined) return fetch(options, () => undefined);
      // A fetch built while a join removed the positions (see PlatformaticGroupConsumer) asks
      // for no offset: answer it empty; the stream fetches again once its offsets are read.
      if (options.topics.some((t) => t.partitions.some((p) => p.fetchOffset === undefined))) {
        setTimeout(() => callback(null, emptyResponse()), 100).unref();
        return undefined;
      }
      const epoch = this.epoch;
      return fetch(options, (error, response) => {
        if (response !== undefined) this.inspect(response, epoch);
        callback(error, response);
      });
    }) as Consumer['fetch'];
  }

  /** The newest high watermark seen for the partition; undefined before its first fetch. */
  highWatermark(topic: string, partition: number): bigint | undefined {
    const id = this.consumer.currentMetadata?.topics.get(topic)?.id;
    return id === undefined ? undefined : this.highWatermarks.get(`${id}:${partition}`);
  }

  private inspect(response: FetchResponse, epoch: number): void {
    const stale = epoch !== this.epoch;
    const tag = { [EPOCH]: epoch };
    for (const topic of response.responses) {
      for (const partition of topic.partitions) {
        if (stale) {
          partition.records = null;
          continue;
        }
        this.highWatermarks.set(
          `${topic.topicId}:${partition.partitionIndex}`,
          partition.highWatermark,
        );
        for (const batch of partition.records ?? [])
          for (const record of batch.records) (record as { metadata?: unknown }).metadata = tag;
      }
    }
  }
}

function emptyResponse(): FetchResponse {
  return { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses: [] };
}
