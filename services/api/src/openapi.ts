import { z } from 'zod';
import { openApiPath, problemResponse, type ResponseSpec, type RouteSpec } from './route-table.js';
import { problemBody } from './schemas.js';

type JsonSchema = Record<string, unknown>;

function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  // The input side: what a client sends (a query `limit` is a string before coercion, a
  // `duration` is text before it becomes milliseconds). Transforms have no JSON Schema form.
  const json = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
    target: 'draft-2020-12',
  }) as JsonSchema;
  delete json.$schema;
  return json;
}

function parametersOf(schema: z.ZodType | undefined, where: 'path' | 'query') {
  if (schema === undefined) return [];
  const json = jsonSchemaOf(schema);
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    schema: property,
  }));
}

/** Schemas stated once under components/schemas and referenced wherever a route uses them. */
const COMPONENTS = new Map<z.ZodType, string>([[problemBody, 'Problem']]);

const schemaOf = (schema: z.ZodType): JsonSchema => {
  const name = COMPONENTS.get(schema);
  return name === undefined ? jsonSchemaOf(schema) : { $ref: `#/components/schemas/${name}` };
};

/** Headers that every answer of a status carries, whichever route gives it. */
const HEADERS_BY_STATUS: Record<string, Record<string, unknown>> = {
  '401': {
    'WWW-Authenticate': {
      description: '`Bearer realm="denyscope"`',
      schema: { type: 'string' },
    },
  },
  '429': {
    'Retry-After': {
      description: 'seconds until a retry may succeed',
      schema: { type: 'integer', minimum: 1 },
    },
  },
};

function responseOf(status: string, spec: ResponseSpec): Record<string, unknown> {
  const types = spec.contentTypes ?? ['application/json'];
  return {
    description: spec.description,
    ...(HEADERS_BY_STATUS[status] && { headers: HEADERS_BY_STATUS[status] }),
    content: Object.fromEntries(
      types.map((type) => [type, spec.schema ? { schema: schemaOf(spec.schema) } : {}]),
    ),
  };
}

/**
 * The error answers the API's own machinery gives a route, beyond those its spec names: input
 * validation and Fastify's body checks (400, 413, 415), the auth hook (401, 403) and the rate
 * limiter (429; never on probes).
 */
function commonErrors(route: RouteSpec): Record<string, ResponseSpec> {
  const { params, query, body } = route.schemas;
  return {
    ...((params ?? query ?? body) && {
      400: problemResponse('bad input: `<field>: <what is wrong>`'),
    }),
    ...(body && {
      413: problemResponse('body over 16 KiB'),
      415: problemResponse('a body that is not application/json'),
    }),
    ...(route.access !== 'open' && {
      401: problemResponse('no valid bearer token'),
      403: problemResponse('the token may not access this resource'),
    }),
    ...(!route.probe && {
      429: problemResponse(
        'over a rate limit (API_RATE_LIMIT_PER_MINUTE per token, ' +
          'API_RATE_LIMIT_PER_ADDRESS_PER_MINUTE per address); see Retry-After',
      ),
    }),
  };
}

/** The OpenAPI 3.1 document of a route table: paths, parameters and bodies from its zod schemas. */
export function openApiDocument(routes: readonly RouteSpec[], version: string): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    // The route's own description of a status wins over the common one.
    const specs: Record<string, ResponseSpec> = {
      ...commonErrors(route),
      ...route.schemas.responses,
    };
    const responses = Object.fromEntries(
      Object.entries(specs)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([status, spec]) => [status, responseOf(status, spec)]),
    );
    const body = route.schemas.body;
    const operation: Record<string, unknown> = {
      operationId: `${route.method.toLowerCase()}${openApiPath(route.url).replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
      summary: route.summary,
      parameters: [
        ...parametersOf(route.schemas.params, 'path'),
        ...parametersOf(route.schemas.query, 'query'),
      ],
      ...(body && {
        requestBody: {
          required: !body.safeParse(undefined).success,
          content: { 'application/json': { schema: jsonSchemaOf(body) } },
        },
      }),
      responses,
      security: route.access === 'open' ? [] : [{ bearer: [] }],
    };
    (paths[openApiPath(route.url)] ??= {})[route.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'denyscope API',
      version,
      description:
        'Incidents, mutes and reports of denyscope. Admin tokens may use every route; an account ' +
        "token may read only its own account's report.",
    },
    // `/` first: the document is served by the API it describes, so a client resolves it against
    // wherever it fetched the document from (API_HOST and API_PORT vary by deployment).
    servers: [
      { url: '/', description: 'the API that served this document' },
      {
        url: 'http://127.0.0.1:8080',
        description: 'a local API on the default API_HOST and API_PORT',
      },
    ],
    components: {
      schemas: Object.fromEntries(
        [...COMPONENTS].map(([schema, name]) => [name, jsonSchemaOf(schema)]),
      ),
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    },
    paths,
  };
}
