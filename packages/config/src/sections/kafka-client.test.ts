import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../index.js';
import { kafkaClientProblem, kafkaClientSection } from './kafka-client.js';

describe('KAFKA_CLIENT', () => {
  it('is kafkajs unless set', () => {
    expect(loadConfig({}).kafka.client).toBe('kafkajs');
  });

  it('refuses an unknown client, naming the choices', () => {
    expect(() => loadConfig({ KAFKA_CLIENT: 'rdkafka' })).toThrow(
      /KAFKA_CLIENT: expected one of kafkajs, platformatic/,
    );
  });

  it('refuses platformatic on a Node.js older than 22.22, with the fix in the message', () => {
    for (const version of ['20.20.2', '22.21.9', '21.99.0']) {
      const run = () => kafkaClientSection({ KAFKA_CLIENT: 'platformatic' }, version);
      expect(run).toThrow(ConfigError);
      expect(run).toThrow(`needs Node.js ≥ 22.22.0 (this is ${version})`);
    }
  });

  it('accepts platformatic from Node.js 22.22, and kafkajs everywhere', () => {
    for (const version of ['22.22.0', '22.23.1', '24.0.0', '24.22.3'])
      expect(kafkaClientProblem('platformatic', version)).toBeNull();
    expect(kafkaClientProblem('kafkajs', '20.20.2')).toBeNull();
  });
});
