import { alertNotificationSchema, type AlertNotification } from '@denyscope/alerts';
import { InvalidNotificationError } from './errors.js';

/** Job data is a boundary (other processes write it): parse it against the contract. */
export function parseNotification(data: unknown): AlertNotification {
  const result = alertNotificationSchema.safeParse(data);
  if (result.success) return result.data;
  throw new InvalidNotificationError(
    // Paths and zod's messages only: the offending values are untrusted and stay out of the log.
    result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
  );
}
