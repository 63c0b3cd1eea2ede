import type { MessageToSend } from '@denyscope/kafka';
import { describe, expect, it } from 'vitest';
import { chunks } from './dead-letter-producer.js';

const message = (bytes: number): MessageToSend => ({
  key: null,
  value: Buffer.alloc(bytes),
  headers: {},
});

describe('chunks of dead letters per produce request', () => {
  it('keeps order and puts at most maxBytes of values in a request', () => {
    const messages = [message(400), message(400), message(400), message(100)];
    const result = chunks(messages, 1000);
    expect(result.map((chunk) => chunk.length)).toEqual([2, 2]);
    expect(result.flat()).toEqual(messages);
  });

  it('sends a message larger than the limit alone, and empty values count nothing', () => {
    const messages = [
      message(10),
      message(5000),
      { key: null, value: null, headers: {} },
      message(10),
    ];
    expect(chunks(messages, 1000).map((chunk) => chunk.length)).toEqual([1, 1, 2]);
  });

  it('has no request for no letters', () => {
    expect(chunks([], 1000)).toEqual([]);
  });
});
