import type { SharedConfig } from '@denyscope/config';
import type { KafkaConfig, SASLOptions } from 'kafkajs';

/**
 * kafkajs's `ssl` and `sasl` options from KAFKA_SSL* and KAFKA_SASL_* (README "Secured
 * connections"). Every Kafka client denyscope opens spreads these: ingest's consumer, the
 * dead-letter producer, the API's readiness probe, `denyscope start`'s topic check, the simulator
 * and the bench — so a secured cluster works for all of them or for none.
 */
export function kafkajsSecurity(
  kafka: Partial<Pick<SharedConfig['kafka'], 'ssl' | 'sasl'>>,
): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  return {
    ...(kafka.ssl === undefined ? {} : { ssl: { ...kafka.ssl } }),
    ...(kafka.sasl === undefined ? {} : { sasl: kafkajsSasl(kafka.sasl) }),
  };
}

function kafkajsSasl(sasl: NonNullable<SharedConfig['kafka']['sasl']>): SASLOptions {
  const { username, password } = sasl;
  // kafkajs types each mechanism separately; the switch keeps the union honest.
  switch (sasl.mechanism) {
    case 'plain':
      return { mechanism: 'plain', username, password };
    case 'scram-sha-256':
      return { mechanism: 'scram-sha-256', username, password };
    case 'scram-sha-512':
      return { mechanism: 'scram-sha-512', username, password };
  }
}
