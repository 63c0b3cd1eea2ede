import { Command } from 'commander';

// Placeholder while the command is being built; replaced by its implementation.
export function apiCommand(): Command {
  return new Command('api').description('(being built)');
}
