import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { trace } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// startTelemetry reads process.env; a developer's or CI's OTEL_* settings must not leak in.
const saved = { ...process.env };
beforeEach(() => {
  for (const name of Object.keys(process.env)) {
    if (name.startsWith('OTEL_')) delete process.env[name];
  }
  // Each test gets a fresh start.ts, i.e. a process that has not started telemetry yet.
  vi.resetModules();
});
afterEach(() => {
  process.env = { ...saved };
});

describe('startTelemetry', () => {
  it('starts without an OTLP endpoint, exports nothing and is idempotent', async () => {
    const { startTelemetry, shutdownTelemetry } = await import('./start.js');
    const { getTracer } = await import('./otel-api.js');
    const { withSpan } = await import('./with-span.js');

    const status = startTelemetry({ serviceName: 'test' });
    expect(status).toEqual({ sdk: true, traces: false, metrics: false });
    expect(startTelemetry({ serviceName: 'other' })).toBe(status);

    // NodeSDK is not loaded and no tracer provider is registered, so spans are not recorded, but
    // the API keeps working and the context manager still carries the active span across awaits.
    await withSpan(getTracer(), 'ingest.flush', {}, async (span) => {
      expect(span.isRecording()).toBe(false);
      await new Promise((resolve) => setImmediate(resolve));
      expect(trace.getActiveSpan()).toBe(span);
    });

    await expect(shutdownTelemetry()).resolves.toBeUndefined();
    await expect(shutdownTelemetry()).resolves.toBeUndefined();
  });

  it('does nothing when OTEL_SDK_DISABLED=true, even with an endpoint set', async () => {
    process.env.OTEL_SDK_DISABLED = 'TRUE';
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = 'http://127.0.0.1:9';
    const { startTelemetry, shutdownTelemetry } = await import('./start.js');

    expect(startTelemetry({ serviceName: 'test' })).toEqual({
      sdk: false,
      traces: false,
      metrics: false,
    });
    await expect(shutdownTelemetry()).resolves.toBeUndefined();
  });

  it('resolves shutdown to an error, never rejects, when the collector does not answer', async () => {
    // Accepts the export request and never answers, like a collector that has stalled.
    const server: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${port}`;
      const { startTelemetry, shutdownTelemetry } = await import('./start.js');
      const { getTracer } = await import('./otel-api.js');

      expect(startTelemetry({ serviceName: 'test' })).toEqual({
        sdk: true,
        traces: true,
        metrics: true,
      });
      getTracer().startSpan('ingest.flush').end();

      const error = await shutdownTelemetry({ timeoutMs: 200 });
      expect(error).toBeInstanceOf(Error);
      expect(error?.message).toBe('telemetry shutdown did not finish within 200 ms');
      await expect(shutdownTelemetry()).resolves.toBe(error);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('resolves shutdown when telemetry was never started', async () => {
    const { shutdownTelemetry } = await import('./start.js');
    await expect(shutdownTelemetry()).resolves.toBeUndefined();
  });
});
