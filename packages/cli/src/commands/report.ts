import { Command } from 'commander';

// Placeholder while the command is being built; replaced by its implementation.
export function reportCommand(): Command {
  return new Command('report').description('(being built)');
}
