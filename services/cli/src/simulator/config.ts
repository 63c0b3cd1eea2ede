import { defineSection } from '@denyscope/config';
import { z } from 'zod';

// The traffic simulator's configuration section (`denyscope simulate`), loaded with the shared one
// by loadConfig. A bad value must name the variable and what was expected (zod messages).
// Documented in README.md.
const simulatorVariables = {
  SIMULATE_RATE: z
    .string()
    .regex(/^\d+$/, { message: 'expected events per second, a whole number from 1 to 1000000' })
    .transform(Number)
    .pipe(z.number().int().min(1).max(1_000_000))
    .default(200),
} satisfies Record<string, z.ZodType>;

export interface SimulatorConfig {
  /** Events per second the simulator produces. */
  rate: number;
}

export const simulatorSection = defineSection({
  variables: simulatorVariables,
  build: (parsed): SimulatorConfig => ({ rate: parsed.SIMULATE_RATE }),
});
