import { DurationError, parseDuration as parseSharedDuration } from '@denyscope/events';
import { InvalidArgumentError } from 'commander';

/**
 * Parses `250ms`, `90s`, `5m`, `24h`, `7d` into milliseconds (more than zero) for command-line
 * options: the grammar and the messages of the API and the rules file (@denyscope/events). Commander
 * prints the option and the argument before the message.
 */
export function parseDuration(text: string): number {
  try {
    return parseSharedDuration(text);
  } catch (error) {
    if (error instanceof DurationError) throw new InvalidArgumentError(error.message);
    throw error;
  }
}
