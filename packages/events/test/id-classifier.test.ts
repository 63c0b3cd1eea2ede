import { describe, expect, it } from 'vitest';

import {
  createIdClassifier,
  effectiveResourceEnv,
  MAX_CLASSIFIED_ID_LENGTH,
  MAX_ID_PREFIX_LENGTH,
} from '../src/index.js';
import { seededRandom } from './fixtures.js';

const classify = createIdClassifier();

describe('the architecture table', () => {
  it.each([
    ['inv_004512', 'inv_{int}', 4512, null],
    ['sub_01HX3K9V7Q2M8N4P6R5T0W1Y2Z', 'sub_{ulid}', null, null],
    ['3f2a9c1e-8b7d-4e6f-a5c3-2d1b0e9f8a7c', '{uuid}', null, null],
    ['123456', '{int}', 123456, null],
    ['doc_9f86d081884c', 'doc_{hex}', null, null],
    ['sub_test_01HX3K9V7Q2M8N4P6R5T0W1Y2Z', 'sub_test_{ulid}', null, 'staging'],
  ])('%s → %s', (id, pattern, numeric, markerEnv) => {
    expect(classify(id)).toStrictEqual({ pattern, numeric, markerEnv });
  });
});

describe('real-looking IDs', () => {
  it.each([
    // Stripe
    ['cus_NffrFeUfNV2Hib', 'cus_{b62}'],
    ['pi_3MtwBwLkdIwHu7ix28a3tqPa', 'pi_{b62}'],
    ['in_1MtHbELkdIwHu7ixl4OzzPMv', 'in_{b62}'],
    ['acct_1032D82eZvKYlo2C', 'acct_{b62}'],
    ['price_1MoBy5LkdIwHu7ixZhnattbh', 'price_{b62}'],
    ['seti_1Mm8s8LkdIwHu7ix0OXBfTRG', 'seti_{b62}'],
    // UUIDs v4 and v7, either case, with a letter-only first group, prefixed
    ['f47ac10b-58cc-4372-a567-0e02b2c3d479', '{uuid}'],
    ['F47AC10B-58CC-4372-A567-0E02B2C3D479', '{uuid}'],
    ['01890a5d-ac96-774b-bcce-b302099a8057', '{uuid}'],
    ['abcdefab-1234-4abc-8def-0123456789ab', '{uuid}'],
    ['usr_abcdefab-1234-4abc-8def-0123456789ab', 'usr_{uuid}'],
    ['order-f47ac10b-58cc-4372-a567-0e02b2c3d479', 'order-{uuid}'],
    ['f47ac10b58cc4372a5670e02b2c3d479', '{hex}'],
    // ULIDs
    ['01ARZ3NDEKTSV4RRFFQ69G5FAV', '{ulid}'],
    ['01arz3ndektsv4rrffq69g5fav', '{ulid}'],
    ['7ZZZZZZZZZZZZZZZZZZZZZZZZZ', '{ulid}'],
    ['81ARZ3NDEKTSV4RRFFQ69G5FAV', '{b62}'],
    ['01ARZ3NDEKTSV4RRFFQ69G5FAI', '{b62}'],
    ['01ARZ3NDEKTSV4RRFFQ69G5FA', '{b62}'],
    // Twilio SIDs: two type letters and 32 lower-case hex digits
    ['ACa1b2c3d4e5f60718293a4b5c6d7e8f90', '{b62}'],
    ['SM0123456789abcdef0123456789abcdef', '{b62}'],
    // GitHub node IDs, legacy and current
    ['MDQ6VXNlcjU4MzIzMQ==', '{str}'],
    ['MDQ6VXNlcjU4MzIzMQ', '{b62}'],
    ['U_kgDOBHu9Vw', 'U_{b62}'],
    ['PR_kwDOAbc1234', 'PR_{b62}'],
    ['I_kwDOHnUOCM5NaBcD', 'I_{b62}'],
    // hex digests and object IDs
    ['507f1f77bcf86cd799439011', '{hex}'],
    ['da39a3ee5e6b4b0d3255bfef95601890afd80709', '{hex}'],
    ['9F86D081884C', '{hex}'],
    ['9f86D081884c', '{b62}'],
    ['deadbeef', '{str}'],
    ['ab12', '{str}'],
    ['12345abc', '{hex}'],
    ['1234567g', '{b62}'],
    // hyphenated prefixes and slugs
    ['inv-123', 'inv-{int}'],
    ['order-20240001', 'order-{int}'],
    ['order-2024-0001', '{str}'],
    ['my-cool-project', '{str}'],
    ['inv-abc', '{str}'],
    ['inv_abc', 'inv_{str}'],
    ['sub_item_01HX3K9V7Q2M8N4P6R5T0W1Y2Z', 'sub_item_{ulid}'],
    // dots, signs and other punctuation
    ['1.5', '{str}'],
    ['com.example.app', '{str}'],
    ['v1.2.3', '{str}'],
    ['inv_12.5', 'inv_{str}'],
    ['-42', '{str}'],
    ['+42', '{str}'],
    ['4_2', '{str}'],
    ['inv_', '{str}'],
    ['_123', '{str}'],
    ['', '{str}'],
    ['invoice', '{str}'],
    ['INV_123', 'INV_{int}'],
  ])('%s → %s', (id, pattern) => {
    expect(classify(id).pattern).toBe(pattern);
  });
});

describe('numeric part', () => {
  it.each([
    ['0000042', 42],
    ['000000', 0],
    ['inv_004512', 4512],
    ['inv-7', 7],
    ['9007199254740991', 9007199254740991],
    ['acct_live_9007199254740991', 9007199254740991],
  ])('%s → %s', (id, numeric) => {
    expect(classify(id).numeric).toBe(numeric);
  });

  it.each([
    '9007199254740992',
    '9007199254740993',
    '123456789012345678901234567890',
    '9'.repeat(256),
  ])('%s is {int} without a numeric part (beyond Number.MAX_SAFE_INTEGER)', (id) => {
    expect(classify(id)).toStrictEqual({ pattern: '{int}', numeric: null, markerEnv: null });
  });

  it('gives no numeric part for other shapes', () => {
    expect(classify('doc_9f86d081884c').numeric).toBeNull();
    expect(classify('-42').numeric).toBeNull();
    expect(classify('4.2').numeric).toBeNull();
  });
});

describe('environment markers', () => {
  it.each([
    ['key_live_abc123xyz', 'key_live_{b62}', 'production'],
    ['key_live_abc123def', 'key_live_{hex}', 'production'],
    ['sk_prod_123', 'sk_prod_{int}', 'production'],
    ['sub_test_01HX3K9V7Q2M8N4P6R5T0W1Y2Z', 'sub_test_{ulid}', 'staging'],
    ['inv_stg_42', 'inv_stg_{int}', 'staging'],
    ['inv_staging_42', 'inv_staging_{int}', 'staging'],
    ['acct_sbx_42', 'acct_sbx_{int}', 'sandbox'],
    ['acct_sandbox_42', 'acct_sandbox_{int}', 'sandbox'],
    ['acct_dev_42', 'acct_dev_{int}', 'development'],
    // A first segment is the resource type: `dev_…` (devices) or `test_…` names no environment.
    ['test_123', 'test_{int}', null],
    ['TEST_123', 'TEST_{int}', null],
    ['dev_01HX3K9V7Q2M8N4P6R5T0W1Y2Z', 'dev_{ulid}', null],
    ['inv_Live_42', 'inv_Live_{int}', 'production'],
    ['inv-test-42', 'inv-test-{int}', 'staging'],
    ['acct_prod_dev_1', 'acct_prod_dev_{int}', 'production'],
    ['inv_latest_42', 'inv_latest_{int}', null],
    ['inv_testing_42', 'inv_testing_{int}', null],
    ['live', '{str}', null],
    ['inv_42_test', 'inv_{str}', null],
    ['test-data-set', '{str}', null],
    ['constructor_1', 'constructor_{int}', null],
    ['toString_1', 'toString_{int}', null],
    ['__proto___1', '{str}', null],
  ])('%s → %s, markerEnv %s', (id, pattern, markerEnv) => {
    expect(classify(id)).toMatchObject({ pattern, markerEnv });
  });

  it('uses a configured marker table instead of the defaults', () => {
    const custom = createIdClassifier({ markers: { LIVE: 'prod', qa: 'qa-env' } });
    expect(custom('inv_live_1').markerEnv).toBe('prod');
    expect(custom('inv_qa_1').markerEnv).toBe('qa-env');
    expect(custom('inv_test_1').markerEnv).toBeNull();
  });

  it('can run without markers', () => {
    expect(createIdClassifier({ markers: {} })('sub_test_1')).toStrictEqual({
      pattern: 'sub_test_{int}',
      numeric: 1,
      markerEnv: null,
    });
  });

  it('rejects marker tables that could never match', () => {
    expect(() => createIdClassifier({ markers: { 'live-x': 'production' } })).toThrow(
      /ASCII letters only/,
    );
    expect(() => createIdClassifier({ markers: { live: 'prod uction' } })).toThrow(
      /must be letters, digits/,
    );
  });
});

describe('hostile IDs', () => {
  it.each([
    ["inv_1' OR '1'='1", 'inv_{str}'],
    ['"; DROP TABLE x; --', '{str}'],
    ["1' OR '1'='1", '{str}'],
    ['inv_\u00001', 'inv_{str}'],
    ['inv\u0000_1', '{str}'],
    ['in\u0001v_1', '{str}'],
    ['inv_😀', 'inv_{str}'],
    ['😀_123', '{str}'],
    ['\u202Einv_123', '{str}'],
    ['inv\u202E_123', '{str}'],
    ['ünv_123', '{str}'],
    ['іnv_123', '{str}'], // Cyrillic і
    ['ｉｎｖ_123', '{str}'], // full-width letters
    ['inv_１２３', 'inv_{str}'], // full-width digits
    ['inv_12\n3', 'inv_{str}'],
    ['%00', '{str}'],
  ])('%j → %s', (id, pattern) => {
    expect(classify(id)).toMatchObject({ pattern, numeric: null, markerEnv: null });
  });

  it('classifies IDs longer than 256 chars as {long} without looking at them', () => {
    expect(MAX_CLASSIFIED_ID_LENGTH).toBe(256);
    expect(classify('1'.repeat(256)).pattern).toBe('{int}');
    expect(classify('1'.repeat(257))).toStrictEqual({
      pattern: '{long}',
      numeric: null,
      markerEnv: null,
    });
    expect(classify(`inv_test_${'x'.repeat(10_000)}`).pattern).toBe('{long}');
  });

  it('bounds the prefix at 64 chars, delimiters included', () => {
    expect(MAX_ID_PREFIX_LENGTH).toBe(64);
    const atLimit = `${'a'.repeat(63)}_1`;
    expect(classify(atLimit).pattern).toBe(`${'a'.repeat(63)}_{int}`);
    expect(classify(`${'a'.repeat(64)}_1`).pattern).toBe('{long}');
    expect(classify(`${'ab_'.repeat(30)}1`).pattern).toBe('{long}');
  });

  it('keeps every pattern short and made of ASCII letters, delimiters and one shape', () => {
    const random = seededRandom(42);
    const alphabet = 'abcXYZ019_-.\'" \u0000\u202E😀é%/';
    const shape = /^(?:[A-Za-z]+[_-])*\{(?:uuid|int|hex|ulid|b62|str)\}$|^\{long\}$/;
    for (let i = 0; i < 5000; i++) {
      const length = Math.floor(random() * 300);
      let id = '';
      for (let j = 0; j < length; j++) id += alphabet[Math.floor(random() * alphabet.length)] ?? '';
      const result = classify(id);
      expect(result.pattern, id).toMatch(shape);
      expect(result.pattern.length).toBeLessThanOrEqual(MAX_ID_PREFIX_LENGTH + 6);
    }
  });
});

describe('effectiveResourceEnv', () => {
  const marked = classify('sub_test_01HX3K9V7Q2M8N4P6R5T0W1Y2Z');
  const unmarked = classify('sub_01HX3K9V7Q2M8N4P6R5T0W1Y2Z');

  it('prefers resource_env, which is authoritative', () => {
    expect(effectiveResourceEnv({ resourceEnv: 'production' }, marked)).toBe('production');
  });

  it('falls back to the marker', () => {
    expect(effectiveResourceEnv({ resourceEnv: null }, marked)).toBe('staging');
  });

  it('is null without either: the environment the event was seen in', () => {
    expect(effectiveResourceEnv({ resourceEnv: null }, unmarked)).toBeNull();
    expect(effectiveResourceEnv({ resourceEnv: null }, null)).toBeNull();
  });
});
