/**
 * A connection that can never work as configured: wrong credentials, an untrusted certificate, or
 * TLS on one side only. Retrying cannot fix it, so a service stops at start-up (exit code 2, like
 * a bad variable) with a message that names the service and the settings to fix, instead of
 * retrying in a loop that looks like an outage.
 */
export class ConnectionSetupError extends Error {
  constructor(
    readonly service: 'Kafka' | 'ClickHouse' | 'Redis',
    problem: string,
    readonly settings: readonly string[],
  ) {
    super(`${service}: ${problem} (check ${settings.join(', ')})`);
    this.name = 'ConnectionSetupError';
  }
}

/** Node's codes for a certificate the client does not trust or that does not match the host. */
const UNTRUSTED_CERTIFICATE = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** How a failed TLS or TCP set-up looks, whatever client library carried it. */
export type TransportProblem =
  | { kind: 'untrusted-certificate'; code: string }
  /** The client spoke TLS to a plaintext port ("wrong version number"). */
  | { kind: 'server-not-tls' }
  /** The server hung up during set-up: typically plaintext sent to a TLS port. */
  | { kind: 'closed-by-server' }
  | undefined;

/** Follows `cause` chains (kafkajs and undici wrap the socket's error) to the first telling one. */
export function transportProblem(error: unknown): TransportProblem {
  for (let current = error, depth = 0; current instanceof Error && depth < 6; depth += 1) {
    const { code, message } = current as NodeJS.ErrnoException;
    if (code !== undefined && UNTRUSTED_CERTIFICATE.has(code)) {
      return { kind: 'untrusted-certificate', code };
    }
    if (
      code === 'ERR_SSL_WRONG_VERSION_NUMBER' ||
      /wrong version number/i.test(message) ||
      // The server hung up on our TLS ClientHello: it read it as a malformed request.
      /disconnected before secure TLS connection was established/i.test(message)
    ) {
      return { kind: 'server-not-tls' };
    }
    if (
      code === 'ECONNRESET' ||
      code === 'EPIPE' ||
      /socket hang up|connection is closed|closed connection/i.test(message)
    ) {
      return { kind: 'closed-by-server' };
    }
    current =
      (current as { cause?: unknown; originalError?: unknown }).cause ??
      (current as { originalError?: unknown }).originalError;
  }
  return undefined;
}
