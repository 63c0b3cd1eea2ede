import type { SharedConfig } from '@denyscope/config';
import type { SASLOptions } from '@platformatic/kafka';
import type { ConnectionOptions as TlsOptions } from 'node:tls';

const MECHANISMS = {
  plain: 'PLAIN',
  'scram-sha-256': 'SCRAM-SHA-256',
  'scram-sha-512': 'SCRAM-SHA-512',
} as const satisfies Record<NonNullable<SharedConfig['kafka']['sasl']>['mechanism'], string>;

/**
 * @platformatic/kafka's `tls` and `sasl` options from KAFKA_SSL* and KAFKA_SASL_* (README
 * "Secured connections"): the same settings kafkajsSecurity maps for kafkajs, so that switching
 * KAFKA_CLIENT never changes how the cluster is reached. `tls` goes to node:tls as it is (CA list,
 * client certificate and key for mTLS, rejectUnauthorized).
 */
export function platformaticSecurity(kafka: Partial<Pick<SharedConfig['kafka'], 'ssl' | 'sasl'>>): {
  tls?: TlsOptions;
  sasl?: SASLOptions;
} {
  return {
    ...(kafka.ssl === undefined ? {} : { tls: { ...kafka.ssl } }),
    ...(kafka.sasl === undefined
      ? {}
      : {
          sasl: {
            mechanism: MECHANISMS[kafka.sasl.mechanism],
            username: kafka.sasl.username,
            password: kafka.sasl.password,
          },
        }),
  };
}
