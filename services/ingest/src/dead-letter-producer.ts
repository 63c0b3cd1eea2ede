import { MessageTooLargeError, type MessageToSend, type ReliableProducer } from '@denyscope/kafka';
import type { DeadLetter } from '@denyscope/intake';

// What is kept of a message the dead-letter topic itself refuses as too large.
const TRUNCATED_BYTES = 65_536;
// Bytes of message values per produce request. A flush may carry up to INGEST_MAX_BUFFER_BYTES of
// dead letters (a flood of bad input); as one request that is refused by the broker's request
// and topic limits and then crawled through one message per round trip (found by the chaos
// suite: flushes longer than the session timeout, the member expelled, letters sent twice).
const REQUEST_BYTES = 1_048_576;

/** Consecutive runs of messages whose values add up to at most `maxBytes` (or one larger message). */
export function chunks(messages: readonly MessageToSend[], maxBytes: number): MessageToSend[][] {
  const result: MessageToSend[][] = [];
  let current: MessageToSend[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = message.value?.length ?? 0;
    if (current.length > 0 && bytes + size > maxBytes) {
      result.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += size;
  }
  if (current.length > 0) result.push(current);
  return result;
}

/**
 * Sends bad messages to the dead-letter topic: the original bytes and key untouched as the
 * record, and why and where from in headers, so a fixed producer can replay them as they were.
 */
export class DeadLetterProducer {
  constructor(
    private readonly producer: ReliableProducer,
    private readonly topic: string,
  ) {}

  async send(letters: readonly DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    const failedAt = new Date().toISOString();
    const messages = letters.map((letter) => this.toMessage(letter, failedAt));
    // In order, one request at a time: a retry after a failure resends from the failed chunk on.
    for (const chunk of chunks(messages, REQUEST_BYTES)) {
      try {
        await this.producer.send(this.topic, chunk);
      } catch (error) {
        if (!(error instanceof MessageTooLargeError)) throw error;
        await this.sendOneByOne(chunk);
      }
    }
  }

  // A dead-letter topic with a smaller max.message.bytes than the source (or the headers pushing
  // a message just over it) must not stall ingest forever: such a message is sent truncated,
  // marked so, with its source coordinates to find the original.
  private async sendOneByOne(messages: MessageToSend[]): Promise<void> {
    for (const message of messages) {
      try {
        await this.producer.send(this.topic, [message]);
      } catch (error) {
        if (!(error instanceof MessageTooLargeError)) throw error;
        const value = message.value;
        await this.producer.send(this.topic, [
          {
            ...message,
            value: value?.subarray(0, TRUNCATED_BYTES) ?? null,
            headers: {
              ...message.headers,
              'denyscope-truncated': 'true',
              'denyscope-original-bytes': String(value?.length ?? 0),
            },
          },
        ]);
      }
    }
  }

  private toMessage(letter: DeadLetter, failedAt: string): MessageToSend {
    return {
      key: letter.key,
      value: letter.value,
      headers: {
        'denyscope-reason': letter.reason,
        'denyscope-reason-kind': letter.reasonKind,
        'denyscope-source-topic': letter.topic,
        'denyscope-source-partition': String(letter.partition),
        'denyscope-source-offset': letter.offset,
        'denyscope-failed-at': failedAt,
      },
    };
  }
}
