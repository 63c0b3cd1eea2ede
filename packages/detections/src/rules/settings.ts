import { SEVERITIES, type Severity } from '@denyscope/alerts';
import { z } from 'zod';

/** The base severity of a rule's findings; rules may raise it (e.g. to critical) on evidence. */
export function severitySetting(defaultSeverity: Severity) {
  return z.enum(SEVERITIES).default(defaultSeverity);
}

export const windowMinutes = (defaultMinutes: number) =>
  z.number().int().min(1).max(1440).default(defaultMinutes);
