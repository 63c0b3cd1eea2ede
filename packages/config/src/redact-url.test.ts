import { describe, expect, it } from 'vitest';
import { configProblems } from './load-config.js';
import { redactUrlPassword } from './redact-url.js';

// Issue 11: REDIS_URL/CLICKHOUSE_URL with an embedded password were echoed in configuration
// errors, which go to the logs.

describe('redactUrlPassword', () => {
  it.each([
    ['redis://:s3cret@127.0.0.1:6379', 'redis://:***@127.0.0.1:6379'],
    ['rediss://app:s3cret@redis.internal:6380/2', 'rediss://app:***@redis.internal:6380/2'],
    ['http://default:s3cret@ch:8123', 'http://default:***@ch:8123'],
    // Unencoded specials: the reason such a URL fails validation in the first place.
    ['redis://:p@ss w/ord:x@host:6379', 'redis://:***@host:6379'],
    ['redis-tls://:s3cret@host', 'redis-tls://:***@host'],
    ['redis:/:s3cret@host', 'redis:***@host'],
    [':s3cret@host:6379', ':***@host:6379'],
    ['user:s3cret@host', 'user:***@host'],
  ])('masks the password of %j', (value, shown) => {
    expect(redactUrlPassword(value)).toBe(shown);
  });

  it.each([
    'redis://127.0.0.1:6379',
    'http://ch:8123/?x=1',
    'redis://user@host:6379',
    'ftp://x',
    'not a url',
    '',
  ])('leaves %j as it is (no password in it)', (value) => {
    expect(redactUrlPassword(value)).toBe(value);
  });
});

describe('configuration errors', () => {
  it.each([
    ['REDIS_URL', 'redis-tls://:s3cret-pw@redis.internal:6379'],
    ['REDIS_URL', 'http://user:s3cret-pw@redis.internal:6379'],
    ['REDIS_URL', 'redis://:s3cret-pw@redis.internal:port'],
    ['CLICKHOUSE_URL', 'ftp://default:s3cret-pw@ch.internal:8123'],
    ['CLICKHOUSE_URL', 'default:s3cret-pw@ch.internal:8123'],
  ])('name %s but never echo the password of %j', (name, value) => {
    const problems = configProblems({ [name]: value }).join('\n');
    expect(problems).toContain(`${name}: expected a URL`);
    expect(problems).not.toContain('s3cret');
    expect(problems).toContain(':***@');
  });

  it('still echo a value without a password, so that the mistake shows', () => {
    expect(configProblems({ CLICKHOUSE_URL: 'ftp://ch.internal:8123' }).join('\n')).toContain(
      '"ftp://ch.internal:8123"',
    );
  });
});
