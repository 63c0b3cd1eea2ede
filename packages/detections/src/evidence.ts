import { z } from 'zod';
import { decisionSchema, type Decision } from './decision.js';

// Building blocks of the rules' evidence schemas. Each rule module declares the schema of the
// evidence object its findings carry (`RuleDefinition.evidence`); the rules' tests hold every
// finding to it (rule-declaration.ts), and readers of stored alerts parse with it.

/** What every rule's evidence is: an object whose `decision` says what crossed which threshold. */
export type RuleEvidence = { decision: Decision } & Record<string, unknown>;

/** The field every rule's evidence starts with. */
export const decisionEvidence = { decision: decisionSchema };

/** A count: distinct IDs, keys, denials, requests. */
export const count = z.int().nonnegative();

/** A share of a whole, rounded to 3 digits (`guess_share`, `deny_ratio`). */
export const share = z.number().min(0).max(1);

/** The rule's window in minutes (`window_minutes`). */
export const minutes = z.int().min(1);

/** A time as evidence writes it: `Date.prototype.toISOString`, UTC. */
export const isoTime = z.iso.datetime();

/** Short lists of text from the events: patterns, addresses, user agents, sample IDs. */
export const texts = z.array(z.string());

/** The event-time span of the events that counted: the last fields of every security rule. */
export const eventSpan = { first_seen: isoTime, last_seen: isoTime };
