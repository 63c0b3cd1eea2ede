#!/usr/bin/env node
// The `denyscope` command. The workspace ships TypeScript sources, compiled on load by tsx, so
// `npx denyscope` works right after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
