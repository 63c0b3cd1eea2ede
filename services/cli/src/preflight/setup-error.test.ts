import { describe, expect, it } from 'vitest';
import { ConnectionSetupError, transportProblem } from './setup-error.js';

const withCode = (message: string, code: string): Error =>
  Object.assign(new Error(message), { code });

describe('transportProblem', () => {
  it('finds an untrusted certificate anywhere in the cause chain', () => {
    const socketError = withCode(
      'self-signed certificate in certificate chain',
      'SELF_SIGNED_CERT_IN_CHAIN',
    );
    const wrapped = new Error('Connection error', { cause: socketError });
    expect(transportProblem(new Error('outer', { cause: wrapped }))).toEqual({
      kind: 'untrusted-certificate',
      code: 'SELF_SIGNED_CERT_IN_CHAIN',
    });
    // kafkajs keeps the socket's error in originalError.
    expect(
      transportProblem(
        Object.assign(new Error('KafkaJSConnectionError'), { originalError: socketError }),
      ),
    ).toEqual({ kind: 'untrusted-certificate', code: 'SELF_SIGNED_CERT_IN_CHAIN' });
    expect(
      transportProblem(withCode('Hostname/IP does not match', 'ERR_TLS_CERT_ALTNAME_INVALID')),
    ).toEqual({
      kind: 'untrusted-certificate',
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
  });

  it('tells a plaintext server from one that hangs up', () => {
    expect(transportProblem(withCode('ssl3_get_record:wrong version number', 'EPROTO'))).toEqual({
      kind: 'server-not-tls',
    });
    expect(
      transportProblem(
        withCode(
          'Client network socket disconnected before secure TLS connection was established',
          'ECONNRESET',
        ),
      ),
    ).toEqual({ kind: 'server-not-tls' });
    expect(transportProblem(withCode('read ECONNRESET', 'ECONNRESET'))).toEqual({
      kind: 'closed-by-server',
    });
    expect(transportProblem(new Error('socket hang up'))).toEqual({ kind: 'closed-by-server' });
  });

  it('leaves a server that is down or slow to the services own retries', () => {
    expect(
      transportProblem(withCode('connect ECONNREFUSED 127.0.0.1:9092', 'ECONNREFUSED')),
    ).toBeUndefined();
    expect(transportProblem(withCode('connect ETIMEDOUT', 'ETIMEDOUT'))).toBeUndefined();
    expect(transportProblem('not an error')).toBeUndefined();
  });
});

describe('ConnectionSetupError', () => {
  it('names the service and the settings to fix', () => {
    const error = new ConnectionSetupError('ClickHouse', 'authentication failed for user "x"', [
      'CLICKHOUSE_USER',
      'CLICKHOUSE_PASSWORD',
    ]);
    expect(error.message).toBe(
      'ClickHouse: authentication failed for user "x" (check CLICKHOUSE_USER, CLICKHOUSE_PASSWORD)',
    );
  });
});
