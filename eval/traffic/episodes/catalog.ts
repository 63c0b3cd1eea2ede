/**
 * Every labelled class of the evaluation, attack or benign, with the rule that must find it.
 * Adding a class is one generator plus one line here; the generator, the labels, the scorer's
 * tables and the tests all read this record.
 */
import {
  crossEnvProductionIdsInStaging,
  crossEnvStagingInProduction,
  crossTenantProbing,
  foreignAccessSuccess,
} from './access-abuse.js';
import {
  backfill,
  ciSharedEgress,
  cleanupReadback,
  migrationWalk,
  sandboxLoadTest,
} from './bulk-jobs.js';
import { busyKeyLowDeny, corporateNat, retryOneId, stagingOwnIds, stalePoller } from './clients.js';
import type { EpisodeClass } from './context.js';
import { distributedScanIpv4, distributedScanIpv6 } from './distributed.js';
import { paddedScan, randomGuessing, sequentialScan, slowScan } from './id-scans.js';

export const EPISODE_CLASSES = {
  'sequential-scan': {
    kind: 'attack',
    expectedRule: 'id-enumeration',
    summary: 'one key walks inv_{int} IDs from a known number, 80–400 of them in minutes',
    build: sequentialScan,
  },
  'random-guessing': {
    kind: 'attack',
    expectedRule: 'id-enumeration',
    summary: 'one key guesses random ULIDs/UUIDs, 80–300 of them at 15–60 a minute',
    build: randomGuessing,
  },
  'slow-scan': {
    kind: 'attack',
    expectedRule: 'id-enumeration',
    summary: '150–250 guesses over 45–60 minutes, never more than 40 in any 5 minutes',
    build: slowScan,
  },
  'padded-scan': {
    kind: 'attack',
    expectedRule: 'id-enumeration',
    summary: 'a customer key pads each guess with 5–9 reads of 3–5 own resources: < 20 % denied',
    build: paddedScan,
  },
  'distributed-scan-ipv4': {
    kind: 'attack',
    expectedRule: 'distributed-enumeration',
    summary: '20–60 throwaway keys from many addresses of one /24, 2–6 guesses each',
    build: distributedScanIpv4,
  },
  'distributed-scan-ipv6': {
    kind: 'attack',
    expectedRule: 'distributed-enumeration',
    summary: '20–60 throwaway keys from many addresses of one IPv6 /64, 2–6 guesses each',
    build: distributedScanIpv6,
  },
  'cross-tenant-probing': {
    kind: 'attack',
    expectedRule: 'cross-tenant',
    summary: 'a customer key asks for 10–40 existing resources of one to three other accounts',
    build: crossTenantProbing,
  },
  'foreign-access-success': {
    kind: 'attack',
    expectedRule: 'foreign-access-success',
    summary: "1–4 answers 2xx on another account's resources (the platform's check failed)",
    build: foreignAccessSuccess,
  },
  'cross-env-production-ids-in-staging': {
    kind: 'attack',
    expectedRule: 'cross-environment',
    summary: 'a staging key uses its production resource IDs, 5–30 times over 10–40 minutes',
    build: crossEnvProductionIdsInStaging,
  },
  'cross-env-staging-in-production': {
    kind: 'attack',
    expectedRule: 'cross-environment',
    summary: 'staging IDs used in production, by a production key or a key_test_ key',
    build: crossEnvStagingInProduction,
  },
  'migration-walk': {
    kind: 'benign',
    expectedRule: null,
    summary: 'bulk DELETE of old invoices, then a job walks all its invoice numbers in order',
    build: migrationWalk,
  },
  backfill: {
    kind: 'benign',
    expectedRule: null,
    summary: 'a job reads 2,000–6,000 times over its own resources, a few of them missing',
    build: backfill,
  },
  'cleanup-readback': {
    kind: 'benign',
    expectedRule: null,
    summary: 'DELETE 50–300 own resources, each read back seconds later (403, no owner)',
    build: cleanupReadback,
  },
  'sandbox-load-test': {
    kind: 'benign',
    expectedRule: null,
    summary: 'a sandbox key hammers invented IDs that exist nowhere, 500–3,000 requests',
    build: sandboxLoadTest,
  },
  'ci-shared-egress': {
    kind: 'benign',
    expectedRule: null,
    summary: "many accounts' CI keys on one egress IP: fixtures created, deleted, checked gone",
    build: ciSharedEgress,
  },
  'retry-one-id': {
    kind: 'benign',
    expectedRule: null,
    summary: 'one missing ID retried 50–400 times in minutes',
    build: retryOneId,
  },
  'stale-poller': {
    kind: 'benign',
    expectedRule: null,
    summary: '1–3 stale IDs polled every 30 s – 3 min for hours',
    build: stalePoller,
  },
  'busy-key-low-deny': {
    kind: 'benign',
    expectedRule: null,
    summary: 'a key at 2–5 requests/s, 1–3 % denied on scattered missing IDs',
    build: busyKeyLowDeny,
  },
  'corporate-nat': {
    kind: 'benign',
    expectedRule: null,
    summary: 'many keys of one account behind its office NAT address, ordinary work',
    build: corporateNat,
  },
  'staging-own-ids': {
    kind: 'benign',
    expectedRule: null,
    summary: 'staging keys working on staging IDs (sub_test_…), a few missing',
    build: stagingOwnIds,
  },
} as const satisfies Record<string, EpisodeClass>;

export type EpisodeClassId = keyof typeof EPISODE_CLASSES;

export const CLASS_IDS = Object.keys(EPISODE_CLASSES) as EpisodeClassId[];
