import { describe, expect, it } from 'vitest';
import { isSdkDisabled, metricExportTimings, shouldExport } from './otel-env.js';

describe('shouldExport', () => {
  it('exports nothing when no endpoint is set (NodeSDK would default to localhost:4318)', () => {
    expect(shouldExport('traces', {})).toBe(false);
    expect(shouldExport('metrics', {})).toBe(false);
    expect(shouldExport('traces', { OTEL_EXPORTER_OTLP_ENDPOINT: '  ' })).toBe(false);
    expect(shouldExport('traces', { OTEL_TRACES_EXPORTER: 'otlp' })).toBe(false);
  });

  it('exports both signals with the shared endpoint', () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    expect(shouldExport('traces', env)).toBe(true);
    expect(shouldExport('metrics', env)).toBe(true);
  });

  it('exports only the signal whose specific endpoint is set', () => {
    const env = { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' };
    expect(shouldExport('traces', env)).toBe(true);
    expect(shouldExport('metrics', env)).toBe(false);
    expect(
      shouldExport('metrics', { OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://c:4318/v1/metrics' }),
    ).toBe(true);
  });

  it('honours OTEL_<SIGNAL>_EXPORTER=none', () => {
    const env = {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_TRACES_EXPORTER: 'None',
      OTEL_METRICS_EXPORTER: 'otlp',
    };
    expect(shouldExport('traces', env)).toBe(false);
    expect(shouldExport('metrics', env)).toBe(true);
    expect(shouldExport('metrics', { ...env, OTEL_METRICS_EXPORTER: 'otlp, none' })).toBe(false);
  });
});

describe('isSdkDisabled', () => {
  it('is true only for "true", in any case', () => {
    expect(isSdkDisabled({})).toBe(false);
    expect(isSdkDisabled({ OTEL_SDK_DISABLED: 'false' })).toBe(false);
    expect(isSdkDisabled({ OTEL_SDK_DISABLED: '1' })).toBe(false);
    expect(isSdkDisabled({ OTEL_SDK_DISABLED: 'true' })).toBe(true);
    expect(isSdkDisabled({ OTEL_SDK_DISABLED: ' TRUE ' })).toBe(true);
  });
});

describe('metricExportTimings', () => {
  it('uses the spec defaults', () => {
    expect(metricExportTimings({})).toEqual({
      exportIntervalMillis: 60_000,
      exportTimeoutMillis: 30_000,
    });
  });

  it('reads the env and clamps the timeout to the interval', () => {
    expect(metricExportTimings({ OTEL_METRIC_EXPORT_INTERVAL: '5000' })).toEqual({
      exportIntervalMillis: 5_000,
      exportTimeoutMillis: 5_000,
    });
    expect(
      metricExportTimings({
        OTEL_METRIC_EXPORT_INTERVAL: '10000',
        OTEL_METRIC_EXPORT_TIMEOUT: '2000',
      }),
    ).toEqual({ exportIntervalMillis: 10_000, exportTimeoutMillis: 2_000 });
  });

  it('ignores invalid values', () => {
    expect(
      metricExportTimings({ OTEL_METRIC_EXPORT_INTERVAL: '0', OTEL_METRIC_EXPORT_TIMEOUT: 'soon' }),
    ).toEqual({ exportIntervalMillis: 60_000, exportTimeoutMillis: 30_000 });
  });
});
