import { EventEmitter } from 'node:events';
import { createLogger } from '@denyscope/telemetry';
import { describe, expect, it } from 'vitest';
import { runService } from './run-service.js';
import { serviceClosedBy, type Service } from './service.js';

/** A logger that records the message of every line, and what runService's hooks were called with. */
function harness() {
  const messages: string[] = [];
  const destination = {
    write: (line: string) => void messages.push((JSON.parse(line) as { msg: string }).msg),
  };
  const log = createLogger({ service: 'fake', level: 'info', destination });
  const exits: number[] = [];
  let telemetryShutdowns = 0;
  const signals = new EventEmitter();
  return {
    messages,
    exits,
    signals,
    telemetryShutdowns: () => telemetryShutdowns,
    options: {
      name: 'fake',
      log,
      signals,
      exit: (code: number) => void exits.push(code),
      shutdownTelemetry: () => {
        telemetryShutdowns += 1;
        return Promise.resolve();
      },
    },
  };
}

/** A service whose stop() resolves with `code` and records that it was called. */
function fakeService(code = 0) {
  const calls: number[] = [];
  let finish: (code: number) => void = () => undefined;
  const stopped = new Promise<number>((resolve) => (finish = resolve));
  const service: Service = {
    stopped,
    stop(requested = 0) {
      calls.push(requested);
      finish(code);
      return stopped;
    },
  };
  return { service, calls, stopOnItsOwn: finish };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('runService', () => {
  it('aborts a start still running on SIGTERM and exits 0', async () => {
    const h = harness();
    let startSignal: AbortSignal | undefined;
    const run = runService({
      ...h.options,
      start: (signal) => {
        startSignal = signal;
        // Like ingest waiting for its topic: gives up when aborted.
        return new Promise((_resolve, reject) =>
          signal.addEventListener('abort', () => reject(new Error('aborted'))),
        );
      },
    });
    await tick();
    h.signals.emit('SIGTERM');
    expect(await run).toBe(0);
    expect(startSignal?.aborted).toBe(true);
    expect(h.exits).toEqual([0]);
    expect(h.messages).toEqual(['signal received', 'stopped before it started']);
    expect(h.telemetryShutdowns()).toBe(1);
  });

  it('stops a service whose start ignored the abort as soon as it has started', async () => {
    const h = harness();
    const fake = fakeService();
    let started: (service: Service) => void = () => undefined;
    const run = runService({ ...h.options, start: () => new Promise((r) => (started = r)) });
    await tick();
    h.signals.emit('SIGINT');
    started(fake.service);
    expect(await run).toBe(0);
    expect(fake.calls).toEqual([0]);
    expect(h.messages).toEqual(['signal received', 'stopping fake']);
  });

  it('exits 1 and shuts telemetry down when start throws', async () => {
    const h = harness();
    const run = runService({ ...h.options, start: () => Promise.reject(new Error('no broker')) });
    expect(await run).toBe(1);
    expect(h.exits).toEqual([1]);
    expect(h.messages).toEqual(['fake could not start']);
    expect(h.telemetryShutdowns()).toBe(1);
    expect(h.signals.listenerCount('SIGTERM')).toBe(0);
  });

  it('exits 1 when stop throws', async () => {
    const h = harness();
    const service = serviceClosedBy(() => Promise.reject(new Error('close timed out')));
    const run = runService({ ...h.options, start: () => Promise.resolve(service) });
    await tick();
    h.signals.emit('SIGTERM');
    expect(await run).toBe(1);
    expect(h.exits).toEqual([1]);
    expect(h.messages).toEqual(['signal received', 'stopping fake', 'fake did not stop cleanly']);
    expect(h.telemetryShutdowns()).toBe(1);
  });

  it("exits with the service's code after a signal, stopping it once", async () => {
    const h = harness();
    const fake = fakeService(3);
    const run = runService({ ...h.options, start: () => Promise.resolve(fake.service) });
    await tick();
    h.signals.emit('SIGTERM');
    h.signals.emit('SIGINT');
    expect(await run).toBe(3);
    expect(fake.calls).toEqual([0]);
    expect(h.exits).toEqual([3]);
    expect(h.telemetryShutdowns()).toBe(1);
  });

  it('exits with the code of a service that stops on its own', async () => {
    const h = harness();
    const fake = fakeService();
    const run = runService({ ...h.options, start: () => Promise.resolve(fake.service) });
    await tick();
    fake.stopOnItsOwn(1);
    expect(await run).toBe(1);
    expect(fake.calls).toEqual([]);
    expect(h.exits).toEqual([1]);
  });

  it('runs until stopped, even when the service holds nothing open', async () => {
    const h = harness();
    const run = runService({
      ...h.options,
      start: () => Promise.resolve(serviceClosedBy(() => Promise.resolve())),
    });
    let settled = false;
    void run.then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).toBe(false);
    h.signals.emit('SIGTERM');
    expect(await run).toBe(0);
  });
});

describe('serviceClosedBy', () => {
  it('closes once and settles stopped with the code given to the first stop', async () => {
    let closes = 0;
    const service = serviceClosedBy(() => {
      closes += 1;
      return Promise.resolve();
    });
    const first = service.stop(2);
    const second = service.stop(5);
    expect(await first).toBe(2);
    expect(await second).toBe(2);
    expect(await service.stopped).toBe(2);
    expect(closes).toBe(1);
  });
});
