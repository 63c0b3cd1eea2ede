// Makes pagerduty-events-v2.json from PagerDuty's published OpenAPI document of the Events API v2
// (reference/events-v2/openapiv3.json of github.com/PagerDuty/api-schema; README.md here):
// the request body of POST /enqueue and the components it references, with only the keywords
// that validate (no descriptions or examples), as a draft-07 JSON schema.
//
//   node packages/testkit/src/schemas/extract-pagerduty-events-v2.mjs <openapiv3.json> <commit> \
//     | npx prettier --stdin-filepath pagerduty-events-v2.json
//
// writes the schema to stdout; diff it against the vendored file to check or update it.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

const [path, commit] = process.argv.slice(2);
if (!path || !/^[0-9a-f]{40}$/.test(commit ?? '')) {
  console.error('usage: extract-pagerduty-events-v2.mjs <openapiv3.json> <40-hex commit>');
  process.exit(2);
}
const text = readFileSync(path);
const document = JSON.parse(text.toString('utf8'));
const KEEP = new Set(['type', 'properties', 'required', 'enum', 'format', 'items', '$ref']);
const COMPONENT = '#/components/schemas/';

function structural(schema) {
  const kept = {};
  for (const [keyword, value] of Object.entries(schema)) {
    if (!KEEP.has(keyword)) continue;
    if (keyword === 'properties') {
      kept.properties = Object.fromEntries(
        Object.entries(value).map(([name, property]) => [name, structural(property)]),
      );
    } else if (keyword === 'items') {
      kept.items = structural(value);
    } else if (keyword === '$ref') {
      if (!value.startsWith(COMPONENT)) throw new Error(`unexpected $ref ${value}`);
      kept.$ref = `#/definitions/${value.slice(COMPONENT.length)}`;
    } else {
      kept[keyword] = value;
    }
  }
  return kept;
}

const body = document.paths['/enqueue'].post.requestBody.content['application/json'].schema;
const request = structural(body);
const referenced = [...JSON.stringify(request).matchAll(/#\/definitions\/(\w+)/g)].map(
  (match) => match[1],
);
const sha256 = createHash('sha256').update(text).digest('hex');
const schema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $comment:
    `PagerDuty Events API v2, POST /enqueue request body: extracted from ` +
    `github.com/PagerDuty/api-schema reference/events-v2/openapiv3.json at ${commit} ` +
    `(sha256 ${sha256}) by extract-pagerduty-events-v2.mjs; validating keywords only. ` +
    `Source and licence: README.md beside this file.`,
  ...request,
  definitions: Object.fromEntries(
    [...new Set(referenced)].map((name) => [name, structural(document.components.schemas[name])]),
  ),
};
process.stdout.write(`${JSON.stringify(schema, null, 2)}\n`);
