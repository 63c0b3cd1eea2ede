import { z } from 'zod';

// Options of the traffic simulator, one environment variable each. A bad value must name the
// variable and what was expected (zod messages, as in env-schema.ts). Documented in README.md.
export const simulatorEnv = {
  SIMULATE_RATE: z
    .string()
    .regex(/^\d+$/, { message: 'expected events per second, a whole number from 1 to 1000000' })
    .transform(Number)
    .pipe(z.number().int().min(1).max(1_000_000))
    .default(200),
} satisfies Record<string, z.ZodType>;

type SimulatorEnv = z.output<z.ZodObject<typeof simulatorEnv>>;

export interface SimulatorConfig {
  /** Events per second the simulator produces. */
  rate: number;
}

export function simulatorSection(parsed: SimulatorEnv): SimulatorConfig {
  return { rate: parsed.SIMULATE_RATE };
}
