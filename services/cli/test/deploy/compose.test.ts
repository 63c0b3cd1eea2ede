import { INGEST_NODE_ARGS } from '@denyscope/ingest';
import { Ajv, type ValidateFunction } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/program.js';
import {
  denyscopeServices,
  interpolate,
  loadCompose,
  loadRawCompose,
  readRepoFile,
  type ComposeFile,
  type Service,
} from './compose-file.js';

// docker-compose.yml checked without Docker (none on these machines): against the Compose
// Specification's JSON schema (vendored in infra/compose-spec/), and for what this project needs
// of it. Compose itself validates the interpolated document, so the schema check does too.

const INFRA = ['kafka', 'clickhouse', 'redis'];
/** The long-running denyscope commands the file must run, each in its own service. */
const SERVICE_COMMANDS = ['ingest', 'detect', 'notify', 'api', 'reporter'];
/** Commands that run once and exit: no health to check. */
const ONE_SHOT = ['migrate'];
const SECURED_CONNECTION_VARIABLES = [
  'KAFKA_SSL',
  'KAFKA_SSL_CA_FILE',
  'KAFKA_SSL_CERT_FILE',
  'KAFKA_SSL_KEY_FILE',
  'KAFKA_SSL_REJECT_UNAUTHORIZED',
  'KAFKA_SASL_MECHANISM',
  'KAFKA_SASL_USERNAME',
  'KAFKA_SASL_PASSWORD',
  'CLICKHOUSE_CA_FILE',
  'REDIS_CA_FILE',
];
/** Variable names that carry a secret (a *_FILE variable names a file, which is not one). */
const SECRET_NAME = /PASSWORD|SECRET|TOKEN|ROUTING_KEY|WEBHOOK_URL/;

let validate: ValidateFunction;
let compose: ComposeFile;

beforeAll(() => {
  const schema = JSON.parse(readRepoFile('infra/compose-spec/compose-spec.json')) as Record<
    string,
    unknown
  >;
  // The schema names its draft as https://json-schema.org/draft-07/schema; Ajv knows draft-07
  // (its default) by its canonical http:// id only, so the reference is dropped, not the draft.
  delete schema.$schema;
  validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
  compose = loadCompose();
});

function serviceOf(name: string): Service {
  const service = compose.services[name];
  if (service === undefined) throw new Error(`docker-compose.yml has no service ${name}`);
  return service;
}

function dependencies(service: Service): Record<string, { condition: string }> {
  const dependsOn = service.depends_on ?? {};
  if (Array.isArray(dependsOn)) throw new Error('depends_on must name a condition per service');
  return dependsOn;
}

describe('docker-compose.yml against the compose-spec schema', () => {
  it('is valid, interpolated with no environment at all', () => {
    const valid = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('is valid with every variable it reads set (a secured deployment)', () => {
    const raw = readRepoFile('docker-compose.yml');
    const names = new Set([...raw.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!));
    const env = Object.fromEntries(
      [...names].map((name) => [name, name.endsWith('_PORT') ? '12345' : 'set']),
    );
    expect(validate(loadCompose(env))).toBe(true);
  });

  it('rejects what Compose rejects (the validator is not a no-op)', () => {
    const broken = structuredClone(compose);
    broken.services.ingest!.depends_on = { kafka: { condition: 'service_ready' } };
    expect(validate(broken)).toBe(false);
    const misspelt = structuredClone(compose) as unknown as {
      services: Record<string, Record<string, unknown>>;
    };
    misspelt.services.redis!.healthchek = { test: ['CMD', 'true'] };
    expect(validate(misspelt)).toBe(false);
  });
});

describe('docker-compose.yml', () => {
  it('keeps the infra-only path: kafka, clickhouse, redis start alone on the host ports', () => {
    for (const name of INFRA) {
      const service = serviceOf(name);
      expect(service.profiles, name).toBeUndefined();
      expect(service.build, name).toBeUndefined();
      expect(Object.keys(dependencies(service)), name).toEqual([]);
    }
    const raw = loadRawCompose();
    expect(raw.services.kafka!.ports).toEqual(['127.0.0.1:${KAFKA_PORT:-9092}:19092']);
    expect(raw.services.clickhouse!.ports).toEqual([
      '127.0.0.1:${CLICKHOUSE_HTTP_PORT:-8123}:8123',
      '127.0.0.1:${CLICKHOUSE_TCP_PORT:-9000}:9000',
    ]);
    expect(raw.services.redis!.ports).toEqual(['127.0.0.1:${REDIS_PORT:-6379}:6379']);
  });

  it('publishes every port on 127.0.0.1 only', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const port of service.ports ?? []) expect(port, name).toMatch(/^127\.0\.0\.1:/);
    }
  });

  it('runs every service command from the one image, in the app profile', async () => {
    const commands = (await buildProgram()).commands.map((command) => command.name());
    const services = denyscopeServices(compose);
    expect(services.map(([, s]) => s.command?.[0]).sort()).toEqual(
      [...SERVICE_COMMANDS, ...ONE_SHOT].sort(),
    );
    for (const [name, service] of services) {
      expect(commands, name).toContain(service.command?.[0]);
      expect(service.build, name).toBe('.');
      expect(service.image, name).toBe('denyscope:local');
      expect(service.profiles, name).toEqual(['app']);
    }
  });

  it('gives every long-running service a health check, the denyscope ones for their kind', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (ONE_SHOT.includes(service.command?.[0] ?? '')) continue;
      const test = service.healthcheck?.test;
      expect(service.healthcheck?.disable, name).not.toBe(true);
      expect(Array.isArray(test) ? test.length : 0, `${name} healthcheck.test`).toBeGreaterThan(1);
    }
    for (const [name, service] of denyscopeServices(compose)) {
      const kind = service.command?.[0] ?? '';
      if (ONE_SHOT.includes(kind)) continue;
      expect(service.healthcheck?.test, name).toEqual([
        'CMD',
        'node',
        '/app/infra/docker/healthcheck.mjs',
        kind,
      ]);
    }
  });

  it('starts a service only once what it needs is healthy (and migrations are applied)', () => {
    const needs: Record<string, string[]> = {
      ingest: ['kafka', 'clickhouse', 'migrate'],
      detect: ['clickhouse', 'redis', 'migrate'],
      notify: ['redis'],
      api: ['kafka', 'clickhouse', 'redis', 'migrate'],
      reporter: ['clickhouse', 'redis', 'migrate'],
      migrate: ['clickhouse'],
      grafana: ['clickhouse'],
    };
    for (const [name, service] of Object.entries(compose.services)) {
      const dependsOn = dependencies(service);
      expect(Object.keys(dependsOn).sort(), name).toEqual((needs[name] ?? []).sort());
      for (const [dependency, { condition }] of Object.entries(dependsOn)) {
        const oneShot = ONE_SHOT.includes(serviceOf(dependency).command?.[0] ?? '');
        expect(condition, `${name} → ${dependency}`).toBe(
          oneShot ? 'service_completed_successfully' : 'service_healthy',
        );
        if (!oneShot) expect(serviceOf(dependency).healthcheck?.test, dependency).toBeDefined();
      }
    }
  });

  it('runs Redis with an append-only file on a volume and never evicts BullMQ keys', () => {
    const redis = serviceOf('redis');
    const command = redis.command ?? [];
    const option = (flag: string) => command[command.indexOf(flag) + 1];
    expect(command[0]).toBe('redis-server');
    expect(option('--appendonly')).toBe('yes');
    expect(option('--maxmemory-policy')).toBe('noeviction');
    expect(command).not.toContain('--save'); // a `--save ""` would not turn AOF off, but confuses
    expect(redis.volumes).toContain('redis-data:/data');
  });

  it('pins every image to a version, and ClickHouse to the 26 major', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      const image = service.image ?? '';
      const tag = image.includes(':') ? image.slice(image.lastIndexOf(':') + 1) : '';
      expect(tag, `${name}: ${image}`).not.toBe('');
      expect(tag, `${name}: ${image}`).not.toBe('latest');
      if (service.build === undefined) expect(tag, `${name}: ${image}`).toMatch(/^\d+\.\d+/);
    }
    expect(serviceOf('clickhouse').image).toMatch(/^clickhouse\/clickhouse-server:26\.\d+/);
    // The same Kafka as the Docker-free stack (infra/kafka/pom.xml).
    const kafkaVersion = /<kafka\.version>([^<]+)</.exec(readRepoFile('infra/kafka/pom.xml'))?.[1];
    expect(serviceOf('kafka').image).toBe(`apache/kafka:${kafkaVersion}`);
  });

  it('holds no secret: with no environment every secret variable is empty', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const [variable, value] of Object.entries(service.environment ?? {})) {
        if (SECRET_NAME.test(variable) && !variable.endsWith('_FILE')) {
          expect(value, `${name}.${variable}`).toBe('');
        }
      }
    }
    // Nor a password inside a URL, anywhere in the file.
    expect(readRepoFile('docker-compose.yml')).not.toMatch(/[a-z]+:\/\/[^/\s@'"]*:[^/\s@'"]+@/);
  });

  it('runs ingest with the Node.js flags it is measured and deployed with', () => {
    expect(loadCompose({}).services.ingest!.environment?.NODE_OPTIONS).toBe(
      INGEST_NODE_ARGS.join(' '),
    );
  });

  it('takes secrets from the environment', () => {
    const env = {
      CLICKHOUSE_PASSWORD: 'ch-pass',
      KAFKA_SASL_PASSWORD: 'sasl-pass',
      API_ADMIN_TOKENS: 'token-0123456789abcdef',
      WEBHOOK_SECRET: 'hmac-0123456789abcdef',
      GRAFANA_ADMIN_PASSWORD: 'grafana-pass',
    };
    const secured = loadCompose(env);
    expect(secured.services.ingest!.environment?.CLICKHOUSE_PASSWORD).toBe('ch-pass');
    expect(secured.services.clickhouse!.environment?.CLICKHOUSE_PASSWORD).toBe('ch-pass');
    expect(secured.services.grafana!.environment?.CLICKHOUSE_PASSWORD).toBe('ch-pass');
    expect(secured.services.detect!.environment?.KAFKA_SASL_PASSWORD).toBe('sasl-pass');
    expect(secured.services.api!.environment?.API_ADMIN_TOKENS).toBe(env.API_ADMIN_TOKENS);
    expect(secured.services.notify!.environment?.WEBHOOK_SECRET).toBe(env.WEBHOOK_SECRET);
    expect(secured.services.grafana!.environment?.GF_SECURITY_ADMIN_PASSWORD).toBe('grafana-pass');
  });

  it('passes the secured-connection variables through to every denyscope service', () => {
    const env = Object.fromEntries(SECURED_CONNECTION_VARIABLES.map((name) => [name, `v-${name}`]));
    for (const [name, service] of denyscopeServices(loadCompose(env))) {
      for (const variable of SECURED_CONNECTION_VARIABLES) {
        expect(service.environment?.[variable], `${name}.${variable}`).toBe(`v-${variable}`);
      }
    }
  });

  it('lets KAFKA_CLIENT pick the Kafka client of every denyscope service (empty: the default)', () => {
    for (const [name, service] of denyscopeServices(loadCompose({}))) {
      expect(service.environment?.KAFKA_CLIENT, name).toBe('');
    }
    for (const [name, service] of denyscopeServices(
      loadCompose({ KAFKA_CLIENT: 'platformatic' }),
    )) {
      expect(service.environment?.KAFKA_CLIENT, name).toBe('platformatic');
    }
  });

  it('pins the Grafana ClickHouse plugin and installs it before provisioning', () => {
    const environment = serviceOf('grafana').environment ?? {};
    const plugins = String(environment.GF_PLUGINS_PREINSTALL ?? '').split(',');
    expect(plugins.length).toBeGreaterThan(0);
    for (const plugin of plugins) expect(plugin).toMatch(/^[a-z0-9-]+@\d+\.\d+\.\d+$/);
    expect(plugins.map((p) => p.split('@')[0])).toContain('grafana-clickhouse-datasource');
    expect(environment.GF_PLUGINS_PREINSTALL_ASYNC).toBe('false');
    // The unpinned, deprecated way must not come back beside it.
    expect(environment).not.toHaveProperty('GF_INSTALL_PLUGINS');
  });
});

describe('interpolate (the reading of ${…} the checks above rely on)', () => {
  it('follows Compose: defaults on unset or empty, nested defaults, $$, required', () => {
    expect(interpolate('${A:-x}', {})).toBe('x');
    expect(interpolate('${A:-x}', { A: '' })).toBe('x');
    expect(interpolate('${A-x}', { A: '' })).toBe('');
    expect(interpolate('${A:-${B:-y}}', { B: 'b' })).toBe('b');
    expect(interpolate('$${A:+--p "$$A"}', { A: 'no' })).toBe('${A:+--p "$A"}');
    expect(() => interpolate('${A:?set A}', {})).toThrow('required variable A');
    expect(() => interpolate('$A', {})).toThrow('unbraced');
  });
});
