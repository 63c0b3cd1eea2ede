import { Command } from 'commander';

// Placeholder while the command is being built; replaced by its implementation.
export function startCommand(): Command {
  return new Command('start').description('(being built)');
}
