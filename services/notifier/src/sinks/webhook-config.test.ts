import { configProblems as problemsWith, loadConfig as loadWith } from '@denyscope/config';
import { describe, expect, it } from 'vitest';
import { webhookSection } from './webhook-config.js';

// The sink's section alone (the notifier includes it under `sinks.webhook`).
const sections = { webhook: webhookSection };
const loadConfig = (env: Record<string, string>) => loadWith(env, sections);
const configProblems = (env: Record<string, string>) => problemsWith(env, sections);

describe('WEBHOOK_SECRET', () => {
  const url = 'https://siem.example/hook';
  it('takes a Standard Webhooks whsec_ secret of 24 to 64 bytes, or any 16+ characters', () => {
    const whsec = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    expect(loadConfig({ WEBHOOK_URL: url, WEBHOOK_SECRET: whsec }).webhook?.secret).toBe(whsec);
    expect(configProblems({ WEBHOOK_URL: url, WEBHOOK_SECRET: 'legacy-secret-123456' })).toEqual(
      [],
    );
  });

  it('refuses a whsec_ secret that is not base64 or too short, without echoing it', () => {
    for (const secret of [
      `whsec_${Buffer.alloc(8).toString('base64')}`,
      'whsec_not*base64*at*all!!',
    ]) {
      const problems = configProblems({ WEBHOOK_URL: url, WEBHOOK_SECRET: secret });
      expect(problems).toEqual([
        'WEBHOOK_SECRET: expected whsec_ followed by the base64 of 24 to 64 random bytes',
      ]);
    }
  });
});

describe('webhook section', () => {
  it('is off without WEBHOOK_URL, and needs WEBHOOK_SECRET with it', () => {
    expect(loadConfig({}).webhook).toBeUndefined();
    expect(configProblems({ WEBHOOK_URL: 'https://siem.example/hook' })).toEqual([
      'WEBHOOK_SECRET: required when WEBHOOK_URL is set (deliveries are signed with it)',
    ]);
  });
});
