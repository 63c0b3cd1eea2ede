import { connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

/**
 * Why a TLS connection did not come up, told apart by watching the TCP connection underneath:
 * `no-tls-answer` means the port accepted the connection but never answered the TLS handshake —
 * a plaintext server waiting for more bytes of what it takes for a request (Redis does this).
 * A client library only reports a timeout there, which looks like a server that is down.
 */
export type HandshakeOutcome = 'ok' | 'no-tcp' | 'no-tls-answer' | 'tls-error';

export async function tlsHandshake(
  host: string,
  port: number,
  timeoutMs: number,
): Promise<HandshakeOutcome> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host, port });
    let tcpUp = false;
    let settled = false;
    const finish = (outcome: HandshakeOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish(tcpUp ? 'no-tls-answer' : 'no-tcp'), timeoutMs);
    socket.once('error', () => finish(tcpUp ? 'tls-error' : 'no-tcp'));
    socket.once('connect', () => {
      tcpUp = true;
      // Certificates are not the question here (the client library reported those already).
      const tls = tlsConnect({ socket, servername: host, rejectUnauthorized: false });
      tls.once('secureConnect', () => finish('ok'));
      tls.once('error', () => finish('tls-error'));
    });
  });
}
