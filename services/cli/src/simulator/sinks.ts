import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import type { SharedConfig } from '@denyscope/config';
import type { Logger } from '@denyscope/telemetry';
import type { GeneratedEvent } from '@denyscope/scenarios';
import { createKafka } from '@denyscope/kafka';
import { Partitioners, type Producer } from 'kafkajs';

/** Where simulated events go. `write` resolves once the batch is accepted (acked, or buffered). */
export interface EventSink {
  readonly description: string;
  write(events: readonly GeneratedEvent[]): Promise<void>;
  close(): Promise<void>;
}

/** Creates the topic when it is missing (broker defaults otherwise), then produces batches. */
export async function kafkaSink(config: SharedConfig, log: Logger): Promise<EventSink> {
  const kafka = createKafka(config, log, 'simulator');
  const topic = config.kafka.topic;
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) {
      await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 3 }] });
      log.info({ topic }, 'topic created');
    }
  } finally {
    await admin.disconnect();
  }
  const producer: Producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  return {
    description: `kafka ${config.kafka.brokers.join(',')} topic ${topic}`,
    async write(events) {
      if (events.length === 0) return;
      // Keyed by API key, so one key's requests stay in order on one partition.
      await producer.send({
        topic,
        acks: -1,
        messages: events.map((event) => ({
          key: event.key_id ?? event.request_id,
          value: JSON.stringify(event),
        })),
      });
    },
    close: () => producer.disconnect(),
  };
}

function drained(stream: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const onDrain = (): void => {
      stream.off('error', onError);
      resolve();
    };
    const onError = (error: Error): void => {
      stream.off('drain', onDrain);
      reject(error);
    };
    stream.once('drain', onDrain);
    stream.once('error', onError);
  });
}

/** NDJSON to a file, or to stdout for `-` (which is never closed, only flushed). */
export function fileSink(out: string): EventSink {
  const toStdout = out === '-';
  const stream: Writable = toStdout ? process.stdout : createWriteStream(out, { flags: 'w' });
  let failure: Error | null = null;
  stream.on('error', (error: Error) => {
    failure = error;
  });
  return {
    description: toStdout ? 'stdout' : `file ${out}`,
    async write(events) {
      if (failure !== null) throw failure;
      let text = '';
      for (const event of events) text += `${JSON.stringify(event)}\n`;
      if (!stream.write(text)) await drained(stream);
    },
    close() {
      if (toStdout) {
        return new Promise((resolve) => {
          if (!stream.write('', () => resolve())) resolve();
        });
      }
      return new Promise((resolve, reject) => {
        stream.end((error?: Error | null) => (error ? reject(error) : resolve()));
      });
    },
  };
}
