import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

// PagerDuty's own schema of an Events API v2 event (trigger, acknowledge, resolve): the request
// body of POST /enqueue from its published OpenAPI document, vendored in
// schemas/pagerduty-events-v2.json (source, commit and licence: schemas/README.md), checked
// with Ajv. The published schema leaves objects open, so a misspelled optional field
// (`dedupkey`, `payload.custom_detail`) would pass it and be ignored by PagerDuty; the closed
// variant below is the same schema with no other properties allowed (custom_details stays open).

type Schema = Record<string, unknown>;

/** The vendored schema, as published (validating keywords only). */
export const PAGERDUTY_EVENTS_V2_SCHEMA: Readonly<Schema> = JSON.parse(
  readFileSync(new URL('./schemas/pagerduty-events-v2.json', import.meta.url), 'utf8'),
) as Schema;

/** Every object schema with `properties` gets `additionalProperties: false`. */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (typeof schema !== 'object' || schema === null) return schema;
  const copy: Schema = {};
  for (const [keyword, value] of Object.entries(schema)) copy[keyword] = closed(value);
  if (typeof copy.properties === 'object' && copy.type === 'object') {
    copy.additionalProperties = false;
  }
  return copy;
}

// The document's formats: RFC 3339 / ISO 8601 date-times (its own example writes the offset
// as +0000) and absolute http(s) URLs. Ajv knows no formats unless told.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;
function isHttpUrl(text: string): boolean {
  return URL.canParse(text) && ['http:', 'https:'].includes(new URL(text).protocol);
}

let validators: { published: ValidateFunction; closed: ValidateFunction } | undefined;

function compiled() {
  if (validators !== undefined) return validators;
  const ajv = new Ajv({ allErrors: true, strict: true })
    .addFormat(
      'date-time',
      (text: string) => DATE_TIME.test(text) && !Number.isNaN(Date.parse(text)),
    )
    .addFormat('url', isHttpUrl);
  const schema = PAGERDUTY_EVENTS_V2_SCHEMA;
  validators = { published: ajv.compile(schema), closed: ajv.compile(closed(schema) as Schema) };
  return validators;
}

function messages(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((error) => {
    const extra =
      error.keyword === 'additionalProperties'
        ? ` (${String((error.params as { additionalProperty?: unknown }).additionalProperty)})`
        : '';
    return `${error.instancePath || '/'} ${error.message ?? error.keyword}${extra}`;
  });
}

/**
 * What is wrong with `event` as an Events API v2 event: by PagerDuty's published schema, then by
 * the closed variant (a field the schema does not name). [] when it is valid.
 */
export function pagerDutyEventProblems(event: unknown): string[] {
  const { published, closed: strict } = compiled();
  if (!published(event)) return messages(published.errors);
  if (!strict(event))
    return messages(strict.errors).map((problem) => `${problem}, not in the schema`);
  return [];
}
