import type { SinkFactory } from './sink.js';

/** Always available: the alert as one JSON log line, under one key (it carries untrusted IDs). */
export const createLogSink: SinkFactory<'log'> = (_settings, { log }) => ({
  target: 'log',
  deliver: ({ alert, transition, version }) => {
    log.info({ sink: 'log', transition, version, alert }, 'alert');
    return Promise.resolve();
  },
});
