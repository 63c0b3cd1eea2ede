import { createServer } from 'node:net';

/**
 * A loopback TCP port nothing listens on right now, for a service under test (API_PORT takes no
 * 0). Another process may take it before the service binds it; on a test machine that is rare.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no TCP address to take a free port from')),
      );
    });
  });
}
