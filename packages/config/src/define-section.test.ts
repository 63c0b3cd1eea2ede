import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ConfigError,
  DuplicateVariableError,
  configProblems,
  defineSection,
  durationMs,
  httpUrl,
  int,
  loadConfig,
  variablesOf,
} from './index.js';

// A section of a made-up service, as a service declares its own beside its code.
const widgetSection = defineSection({
  variables: {
    WIDGET_SIZE: int(1, 10).default(3),
    WIDGET_WAIT_MS: durationMs(0, 60_000).default(1_000),
    WIDGET_HOOK_URL: httpUrl.optional(),
    WIDGET_TOKEN: z.string().min(8).optional(),
  },
  secrets: ['WIDGET_HOOK_URL', 'WIDGET_TOKEN'],
  build: (parsed) => {
    if (parsed.WIDGET_HOOK_URL !== undefined && parsed.WIDGET_TOKEN === undefined) {
      throw new ConfigError(['WIDGET_TOKEN: required when WIDGET_HOOK_URL is set']);
    }
    return {
      size: parsed.WIDGET_SIZE,
      waitMs: parsed.WIDGET_WAIT_MS,
      hook: parsed.WIDGET_HOOK_URL,
    };
  },
});

describe('loadConfig with sections', () => {
  it('returns the shared settings and each section under its name, typed', () => {
    const config = loadConfig(
      { WIDGET_SIZE: '7', WIDGET_WAIT_MS: '2s' },
      { widget: widgetSection },
    );
    const size: number = config.widget.size;
    expect(size).toBe(7);
    expect(config.widget).toEqual({ size: 7, waitMs: 2_000, hook: undefined });
    expect(config.kafka.topic).toBe('api.responses');
  });

  it('without sections, validates and returns the shared section only', () => {
    expect(Object.keys(loadConfig({ WIDGET_SIZE: 'not read' })).sort()).toEqual(
      ['clickhouse', 'events', 'kafka', 'logLevel', 'pipeline', 'redis'].sort(),
    );
  });

  it('reports the problems of the shared and every section variable together, in one pass', () => {
    const problems = configProblems(
      { LOG_LEVEL: 'loud', WIDGET_SIZE: '11', WIDGET_WAIT_MS: '2 s', WIDGET_SIZE_TYPO: 'x' },
      { widget: widgetSection },
    );
    expect(problems).toEqual([
      expect.stringMatching(/^LOG_LEVEL: .*\(got "loud"\)$/),
      expect.stringMatching(/^WIDGET_SIZE: .*\(got "11"\)$/),
      expect.stringMatching(/^WIDGET_WAIT_MS: expected a duration.*\(got "2 s"\)$/),
    ]);
  });

  it('never echoes a section secret, and treats empty values as unset', () => {
    const problems = configProblems(
      { WIDGET_HOOK_URL: 'hooks.example/very-secret-path', WIDGET_TOKEN: 'short' },
      { widget: widgetSection },
    );
    expect(problems).toEqual([
      'WIDGET_HOOK_URL: expected a URL starting with http:// or https://',
      expect.stringMatching(/^WIDGET_TOKEN: [^(]*$/),
    ]);
    expect(loadConfig({ WIDGET_SIZE: '' }, { widget: widgetSection }).widget.size).toBe(3);
  });

  it("runs a section's cross-variable checks once its values are valid", () => {
    expect(
      configProblems({ WIDGET_HOOK_URL: 'https://hooks.example/x' }, { widget: widgetSection }),
    ).toEqual(['WIDGET_TOKEN: required when WIDGET_HOOK_URL is set']);
  });
});

describe('a variable belongs to one section', () => {
  const clash = defineSection({ variables: { WIDGET_SIZE: int(1, 5).default(1) }, build: () => 1 });

  it('refuses two sections declaring the same variable when they are loaded together', () => {
    const load = () => loadConfig({}, { widget: widgetSection, other: clash });
    expect(load).toThrow(DuplicateVariableError);
    expect(load).toThrow(/WIDGET_SIZE is declared by two configuration sections/);
    expect(() => configProblems({}, { widget: widgetSection, other: clash })).toThrow(
      DuplicateVariableError,
    );
    expect(() => variablesOf({ widget: widgetSection, other: clash })).toThrow(/WIDGET_SIZE/);
  });

  it('refuses a section redeclaring a shared variable', () => {
    const shadow = defineSection({ variables: { LOG_LEVEL: z.string() }, build: () => 1 });
    expect(() => loadConfig({}, { shadow })).toThrow(/LOG_LEVEL is declared by two/);
  });

  it('refuses a section that includes one declaring its own variable, when it is defined', () => {
    expect(() =>
      defineSection({
        variables: { WIDGET_SIZE: int(1, 5).default(1) },
        sections: { widget: widgetSection },
        build: (_parsed, parts) => parts.widget,
      }),
    ).toThrow(DuplicateVariableError);
  });

  it('refuses a section named like a shared setting', () => {
    expect(() => loadConfig({}, { kafka: widgetSection })).toThrow(/cannot be named "kafka"/);
  });
});

describe('included sections', () => {
  const partA = defineSection({
    variables: { PART_A_KEY: z.string().optional() },
    secrets: ['PART_A_KEY'],
    build: (parsed) => parsed.PART_A_KEY ?? null,
  });
  const partB = defineSection({
    variables: { PART_B_ON: z.enum(['yes', 'no']).default('no') },
    build: (parsed) => parsed.PART_B_ON === 'yes',
  });
  const whole = defineSection({
    variables: { WHOLE_COUNT: int(1, 9).default(2) },
    sections: { a: partA, b: partB },
    build: (parsed, parts) => ({ count: parsed.WHOLE_COUNT, parts }),
  });

  it('builds each included section and passes its settings to the including one', () => {
    expect(loadConfig({ PART_A_KEY: 'k', PART_B_ON: 'yes' }, { whole }).whole).toEqual({
      count: 2,
      parts: { a: 'k', b: true },
    });
    expect(Object.keys(whole.variables).sort()).toEqual(['PART_A_KEY', 'PART_B_ON', 'WHOLE_COUNT']);
  });

  it("keeps an included section's secrets secret", () => {
    const secretText = z
      .string()
      .regex(/^[a-z]+$/)
      .optional();
    const secretPart = defineSection({
      variables: { PART_C_KEY: secretText },
      secrets: ['PART_C_KEY'],
      build: () => 0,
    });
    const including = defineSection({ variables: {}, sections: { c: secretPart }, build: () => 0 });
    expect(configProblems({ PART_C_KEY: 'NOT-SHOWN' }, { including })).toEqual([
      expect.stringMatching(/^PART_C_KEY: [^(]*$/),
    ]);
  });
});
