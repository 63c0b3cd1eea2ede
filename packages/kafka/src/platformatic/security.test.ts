import { describe, expect, it } from 'vitest';
import { platformaticSecurity } from './security.js';

// Type-only import in security.ts: this test loads no @platformatic/kafka code, so it runs on
// every Node.js.
describe('platformaticSecurity', () => {
  it('is plaintext without authentication when nothing is configured', () => {
    expect(platformaticSecurity({ ssl: undefined, sasl: undefined })).toEqual({});
  });

  it('passes TLS through to node:tls: CA list, client certificate and key, verification', () => {
    const ssl = { ca: ['CA PEM'], cert: 'CERT PEM', key: 'KEY PEM', rejectUnauthorized: false };
    expect(platformaticSecurity({ ssl })).toEqual({ tls: ssl });
  });

  it('names each SASL mechanism as the library expects', () => {
    const names = (['plain', 'scram-sha-256', 'scram-sha-512'] as const).map(
      (mechanism) =>
        platformaticSecurity({ sasl: { mechanism, username: 'ingest', password: 'pw' } }).sasl,
    );
    expect(names).toEqual([
      { mechanism: 'PLAIN', username: 'ingest', password: 'pw' },
      { mechanism: 'SCRAM-SHA-256', username: 'ingest', password: 'pw' },
      { mechanism: 'SCRAM-SHA-512', username: 'ingest', password: 'pw' },
    ]);
  });
});
