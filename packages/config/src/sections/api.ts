import { z } from 'zod';

// Options of the HTTP API, one environment variable each. A bad value must name the variable and
// what was expected (zod messages, as in env-schema.ts). Documented in README.md.
export const apiEnv = {
  API_HOST: z.string().min(1).default('127.0.0.1'),
  API_PORT: z
    .string()
    .regex(/^\d+$/, { message: 'expected a port number from 1 to 65535' })
    .transform(Number)
    .pipe(z.number().int().min(1).max(65_535))
    .default(8080),
} satisfies Record<string, z.ZodType>;

type ApiEnv = z.output<z.ZodObject<typeof apiEnv>>;

export interface ApiConfig {
  host: string;
  port: number;
}

export function apiSection(parsed: ApiEnv): ApiConfig {
  return { host: parsed.API_HOST, port: parsed.API_PORT };
}
