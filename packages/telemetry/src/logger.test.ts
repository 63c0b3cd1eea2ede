import { describe, expect, it } from 'vitest';
import { createLogger, type LoggerOptions } from './logger.js';

function capture(opts: Omit<LoggerOptions, 'destination'> = { service: 'test' }) {
  const chunks: string[] = [];
  const log = createLogger({ ...opts, destination: { write: (chunk) => void chunks.push(chunk) } });
  const lines = (): Record<string, unknown>[] =>
    chunks
      .join('')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { log, lines };
}

describe('createLogger', () => {
  it('writes one JSON object per line with service, pid, ISO time, level name and message', () => {
    const { log, lines } = capture({ service: 'ingest' });
    log.info({ partition: 3, topic: 'api.responses' }, 'assigned');

    const [line, ...rest] = lines();
    expect(rest).toEqual([]);
    expect(line).toMatchObject({
      service: 'ingest',
      pid: process.pid,
      level: 'info',
      partition: 3,
      topic: 'api.responses',
      msg: 'assigned',
    });
    expect(line?.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(line).not.toHaveProperty('hostname');
  });

  it('redacts secrets at the top level and one or two levels down', () => {
    const { log, lines } = capture();
    log.info(
      {
        password: 'p0',
        token: 't0',
        authorization: 'Bearer a0',
        headers: { authorization: 'Bearer a1', cookie: 'sid=c1', accept: 'application/json' },
        clickhouse: { url: 'http://127.0.0.1:8123', user: 'default', password: 'p1' },
        config: {
          clickhouse: { user: 'default', password: 'p2' },
          redis: { url: 'redis://:p3@127.0.0.1:6379' },
          clickhousePassword: 'p4',
        },
        kafka: { sasl: { mechanism: 'plain', password: 'p5' }, ssl: { key: 'PRIVATE-p6' } },
        client: { secret: 's1', apiKey: 'k1' },
      },
      'config loaded',
    );

    const [line] = lines();
    const text = JSON.stringify(line);
    for (const secret of ['p0', 't0', 'a0', 'a1', 'c1', 'p1', 'p2', 'p3', 'p4', 'p5', 's1', 'k1']) {
      expect(text).not.toMatch(new RegExp(`\\b${secret}\\b`));
    }
    expect(line).toMatchObject({
      password: '[REDACTED]',
      authorization: '[REDACTED]',
      headers: { authorization: '[REDACTED]', cookie: '[REDACTED]', accept: 'application/json' },
      clickhouse: { url: 'http://127.0.0.1:8123', user: 'default', password: '[REDACTED]' },
      config: { clickhouse: { user: 'default', password: '[REDACTED]' } },
      kafka: { sasl: { mechanism: 'plain', password: '[REDACTED]' }, ssl: { key: '[REDACTED]' } },
    });
  });

  it('redacts in child loggers too', () => {
    const { log, lines } = capture();
    log.child({ partition: 1 }).warn({ clickhouse: { password: 'hunter2' } }, 'retrying');
    expect(lines()[0]).toMatchObject({
      partition: 1,
      level: 'warn',
      clickhouse: { password: '[REDACTED]' },
    });
  });

  it('drops lines below the configured level', () => {
    const { log, lines } = capture({ service: 'test', level: 'warn' });
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error({ err: new Error('boom') }, 'e');

    const written = lines();
    expect(written.map((line) => line.msg)).toEqual(['w', 'e']);
    expect(written[1]).toMatchObject({ level: 'error', err: { type: 'Error', message: 'boom' } });
  });

  it('defaults to info and honours silent', () => {
    const byDefault = capture();
    byDefault.log.debug('hidden');
    byDefault.log.info('shown');
    expect(byDefault.lines().map((line) => line.msg)).toEqual(['shown']);

    const silent = capture({ service: 'test', level: 'silent' });
    silent.log.fatal('nothing');
    expect(silent.lines()).toEqual([]);
  });
});
