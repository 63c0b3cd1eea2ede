import { Command } from 'commander';

// Placeholder while the command is being built; replaced by its implementation.
export function simulateCommand(): Command {
  return new Command('simulate').description('(being built)');
}
