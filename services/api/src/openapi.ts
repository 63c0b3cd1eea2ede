import { z } from 'zod';
import { openApiPath, type RouteSpec } from './route-table.js';

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

const errorResponse = (description: string) => ({
  description,
  content: {
    'application/json': {
      schema: {
        type: 'object',
        properties: { error: { type: 'string' }, message: { type: 'string' } },
        required: ['error', 'message'],
      },
    },
  },
});

/** The OpenAPI 3.1 document of a route table: paths, parameters and bodies from its zod schemas. */
export function openApiDocument(routes: readonly RouteSpec[], version: string): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const responses: Record<string, unknown> = {};
    for (const [status, spec] of Object.entries(route.schemas.responses)) {
      const types = spec.contentTypes ?? ['application/json'];
      responses[status] = {
        description: spec.description,
        content: Object.fromEntries(
          types.map((type) => [type, spec.schema ? { schema: jsonSchemaOf(spec.schema) } : {}]),
        ),
      };
    }
    if (route.schemas.params || route.schemas.query || route.schemas.body) {
      responses['400'] ??= errorResponse('bad input: `<field>: <what is wrong>`');
    }
    if (route.access !== 'open') {
      responses['401'] ??= errorResponse('no valid bearer token');
      responses['403'] ??= errorResponse('the token may not access this resource');
    }
    if (!route.probe) {
      responses['429'] ??= errorResponse(
        'over a rate limit (API_RATE_LIMIT_PER_MINUTE per token, ' +
          'API_RATE_LIMIT_PER_ADDRESS_PER_MINUTE per address); see Retry-After',
      );
    }
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
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}
