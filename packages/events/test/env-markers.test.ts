import { describe, expect, it } from 'vitest';

import { createIdClassifier, DEFAULT_ENV_MARKERS, parseEnvMarkers } from '../src/index.js';

describe('parseEnvMarkers', () => {
  it('parses marker:environment pairs', () => {
    expect(parseEnvMarkers('live:production,prod:production,test:staging')).toStrictEqual({
      live: 'production',
      prod: 'production',
      test: 'staging',
    });
  });

  it('ignores whitespace and lower-cases markers', () => {
    expect(parseEnvMarkers(' LIVE : production , Sbx:sandbox ')).toStrictEqual({
      live: 'production',
      sbx: 'sandbox',
    });
  });

  it('returns no markers for an empty or blank spec', () => {
    expect(parseEnvMarkers('')).toStrictEqual({});
    expect(parseEnvMarkers('  ')).toStrictEqual({});
  });

  it('accepts environment names with digits, _ and -', () => {
    expect(parseEnvMarkers('eu:prod-eu_1')).toStrictEqual({ eu: 'prod-eu_1' });
  });

  it('round-trips the defaults', () => {
    const spec = Object.entries(DEFAULT_ENV_MARKERS)
      .map(([marker, env]) => `${marker}:${env}`)
      .join(',');
    expect(parseEnvMarkers(spec)).toStrictEqual(DEFAULT_ENV_MARKERS);
  });

  it('produces a table createIdClassifier accepts', () => {
    const classify = createIdClassifier({ markers: parseEnvMarkers('qa:staging') });
    expect(classify('inv_qa_1').markerEnv).toBe('staging');
  });

  it('stores a marker named like an Object.prototype member as an own entry', () => {
    const markers = parseEnvMarkers('constructor:production');
    expect(Object.hasOwn(markers, 'constructor')).toBe(true);
    expect(markers.constructor).toBe('production');
  });

  it.each([
    ['live', 'ENV_MARKERS entry 1 ("live"): expected marker:environment'],
    ['live:production,', 'ENV_MARKERS entry 2 (""): expected marker:environment'],
    [',live:production', 'ENV_MARKERS entry 1 (""): expected marker:environment'],
    ['live:production;test:staging', /entry 1 .*environment must be letters, digits/],
    [':production', /entry 1 .*marker must be ASCII letters only/],
    ['live:', /entry 1 .*environment must be letters, digits/],
    ['live_x:production', /marker must be ASCII letters only/],
    ['liv3:production', /marker must be ASCII letters only/],
    ['lïve:production', /marker must be ASCII letters only/],
    ['live:prod uction', /environment must be letters, digits/],
    ['live:a:b', /environment must be letters, digits/],
    ['live=production', /expected marker:environment/],
    [
      'live:production,LIVE:staging',
      'ENV_MARKERS entry 2 ("LIVE:staging"): marker live is given twice',
    ],
    ['live:production,live:production', /marker live is given twice/],
  ])('rejects %j', (spec, message) => {
    expect(() => parseEnvMarkers(spec)).toThrow(message);
  });
});
