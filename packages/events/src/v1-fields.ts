import { EVENT_LIMITS } from './limits.js';

/**
 * The fields of the v1 event contract, in contract order (the order validation reports the first
 * failing field in): the one list that the copies of it are checked against.
 *
 * - `json`: the JSON types a producer may write (`null` only where the contract allows it);
 * - `required`: the key must be present (a required nullable ID may be null, not absent);
 * - `maxChars`: the longest string accepted, in UTF-16 units (undefined: no limit, or not a
 *   string; user_agent is truncated to EVENT_LIMITS.userAgent instead of rejected);
 * - `minChars`: the shortest string accepted (absent: 0);
 * - `column`: the column of `denials` that stores it (undefined: not stored there).
 *
 * The ingest scanner's field table (scan-countable.ts) is built from this list; the hand-written
 * validator (validate-event.ts) stays written out for speed, and packages/events/test/
 * v1-fields.test.ts fails until it reads exactly these fields.
 */
export interface V1Field {
  name: string;
  json: readonly ('string' | 'number' | 'null')[];
  required: boolean;
  maxChars: number | undefined;
  minChars?: number;
  column: string | undefined;
}

export const V1_FIELDS = [
  {
    name: 'ts',
    json: ['string', 'number'],
    required: true,
    maxChars: EVENT_LIMITS.tsString,
    column: 'event_time',
  },
  {
    name: 'request_id',
    json: ['string'],
    required: true,
    maxChars: EVENT_LIMITS.requestId,
    minChars: 1,
    column: 'request_id',
  },
  { name: 'env', json: ['string'], required: true, maxChars: undefined, column: 'env' },
  {
    name: 'method',
    json: ['string'],
    required: true,
    maxChars: EVENT_LIMITS.method,
    column: 'method',
  },
  { name: 'path', json: ['string'], required: true, maxChars: EVENT_LIMITS.path, column: 'path' },
  { name: 'status', json: ['number'], required: true, maxChars: undefined, column: 'status' },
  {
    name: 'key_id',
    json: ['string', 'null'],
    required: true,
    maxChars: EVENT_LIMITS.keyId,
    column: 'key_id',
  },
  {
    name: 'account_id',
    json: ['string', 'null'],
    required: true,
    maxChars: EVENT_LIMITS.accountId,
    column: 'account_id',
  },
  {
    name: 'error',
    json: ['string', 'null'],
    required: false,
    maxChars: EVENT_LIMITS.error,
    column: undefined,
  },
  {
    name: 'route',
    json: ['string', 'null'],
    required: false,
    maxChars: EVENT_LIMITS.route,
    column: 'route',
  },
  {
    name: 'resource_type',
    json: ['string', 'null'],
    required: false,
    maxChars: EVENT_LIMITS.resourceType,
    column: 'resource_type',
  },
  {
    name: 'resource_id',
    json: ['string', 'null'],
    required: false,
    maxChars: EVENT_LIMITS.resourceId,
    column: 'resource_id',
  },
  {
    name: 'resource_owner',
    json: ['string', 'null'],
    required: false,
    maxChars: EVENT_LIMITS.resourceOwner,
    column: 'resource_owner',
  },
  {
    name: 'resource_env',
    json: ['string', 'null'],
    required: false,
    maxChars: undefined,
    column: 'resource_env',
  },
  {
    name: 'client_ip',
    json: ['string', 'null'],
    required: false,
    maxChars: EVENT_LIMITS.clientIp,
    column: 'client_ip',
  },
  {
    name: 'user_agent',
    json: ['string', 'null'],
    required: false,
    maxChars: undefined,
    column: 'user_agent',
  },
  {
    name: 'latency_ms',
    json: ['number', 'null'],
    required: false,
    maxChars: undefined,
    column: 'latency_ms',
  },
] as const satisfies readonly V1Field[];

export type V1FieldName = (typeof V1_FIELDS)[number]['name'];

/** A column of `denials` (and `foreign_access`) that stores a v1 field as it came. */
export type V1StoredColumn = Extract<(typeof V1_FIELDS)[number]['column'], string>;

type StoredField = Extract<(typeof V1_FIELDS)[number], { column: string }>;

/**
 * A stored field's value as ingest sends it to ClickHouse: `ts` as the DateTime's unix seconds,
 * other numbers as numbers, strings as strings (null and absent as '', numbers' null as 0).
 */
type StoredValue<F extends StoredField> = F['name'] extends 'ts'
  ? number
  : 'string' extends F['json'][number]
    ? string
    : number;

/**
 * The v1 columns of a `denials` (and `foreign_access`) row, typed from the table: ingest's row
 * type extends it, so a field given a `column` here is a property every row must carry, and the
 * build fails until ingest's `denialRow()` fills it.
 */
export type V1StoredRow = { [F in StoredField as F['column']]: StoredValue<F> };

/**
 * The columns that store v1 fields, in contract order: ingest's column lists of `denials` and
 * `foreign_access` are these plus what it derives (packages/intake, clickhouse-writer.ts), and its
 * row type must have each (rows.ts), so a field given a `column` here reaches the INSERT, or the
 * build fails, until the row carries it; the migration that adds the column is the other half
 * (the column test in packages/intake compares the lists with the migrated tables).
 */
export const V1_STORED_COLUMNS: readonly [V1StoredColumn, ...V1StoredColumn[]] = (() => {
  const [first, ...rest] = V1_FIELDS.flatMap((field) =>
    field.column === undefined ? [] : [field.column],
  );
  if (first === undefined) throw new Error('V1_FIELDS stores no field');
  return [first, ...rest];
})();
