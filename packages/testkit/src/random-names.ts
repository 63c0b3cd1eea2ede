import { randomBytes } from 'node:crypto';

/** Topic, group and database names of one test, unique per run, so tests never share state. */
export function testNames(prefix: string): {
  topic: string;
  groupId: string;
  database: string;
  suffix: string;
} {
  const suffix = randomBytes(5).toString('hex');
  return {
    suffix,
    topic: `t.${prefix}.${suffix}`,
    groupId: `g.${prefix}.${suffix}`,
    database: `test_${prefix.replace(/[^A-Za-z0-9_]/g, '_')}_${suffix}`,
  };
}
