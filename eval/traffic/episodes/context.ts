/**
 * What an episode generator gets: its own random stream, the world, the simulation, the span of
 * traffic it must fit in, and helpers to take accounts and keys that no other episode uses (so
 * each label names its own subjects only).
 */
import type { RuleId } from '@denyscope/alerts';
import { Caller } from '../caller.js';
import { type Env, type Kind, accountId } from '../ids.js';
import type { Network } from '../network.js';
import { type Random, int, pick } from '../random.js';
import type { Process, Simulation } from '../simulation.js';
import type { Account, Key, KeyRole, World } from '../world.js';

export const SECOND = 1_000;
export const MINUTE = 60_000;

export type EpisodeKind = 'attack' | 'benign';

export interface EpisodeClass {
  kind: EpisodeKind;
  /** For attacks: the rule that must find it. Benign classes must not page on any rule. */
  expectedRule: RuleId | null;
  /** One line for the README and the report. */
  summary: string;
  build(ctx: EpisodeContext): Process;
}

export class EpisodeContext {
  /** Randomised parameters, recorded in the label for inspection. */
  readonly params: Record<string, string | number | boolean> = {};
  /** Networks the label names besides the addresses its events came from. */
  readonly networks: string[] = [];

  constructor(
    readonly id: string,
    readonly random: Random,
    readonly world: World,
    readonly sim: Simulation,
    /** The traffic's span: every request of the episode falls inside it. */
    readonly startMs: number,
    readonly endMs: number,
  ) {}

  param(name: string, value: string | number | boolean): void {
    this.params[name] = value;
  }

  /**
   * A start for a stretch of `spanMs`, at a random place inside the traffic (2 minutes from
   * either edge); a span that does not fit is shortened to what does.
   */
  place(spanMs: number): { start: number; span: number } {
    const margin = 2 * MINUTE;
    const room = this.endMs - this.startMs - 2 * margin;
    const span = Math.max(MINUTE, Math.min(spanMs, room));
    const start = this.startMs + margin + Math.floor(this.random() * Math.max(0, room - span));
    return { start, span };
  }

  caller(key: Key): Caller {
    return new Caller(this.sim, this.world, this.random, key, this.id);
  }

  /**
   * A customer account nobody else's episode uses, preferring ones that `prefer` accepts.
   * Accounts behind a corporate NAT are left to the episodes that ask for one (`nat`).
   */
  claimAccount(prefer: (account: Account) => boolean = () => true, nat = false): Account {
    const free = this.world.freeAccounts();
    const tiers = [
      free.filter((a) => prefer(a) && (a.natIp !== null) === nat),
      free.filter((a) => prefer(a)),
      free,
    ];
    const candidates = tiers.find((tier) => tier.length > 0);
    if (candidates === undefined) {
      throw new Error(`${this.id}: no free account left; use more --accounts`);
    }
    const account = pick(this.random, candidates);
    account.claimedBy = this.id;
    for (const key of account.keys) key.claimedBy ??= this.id;
    return account;
  }

  /**
   * One of the account's keys in `env` with one of `roles` that no other episode took (a CI
   * episode takes single keys of accounts others may use), or a new one if there is none.
   */
  keyOf(account: Account, env: Env, roles: readonly KeyRole[] = ['app']): Key {
    const keys = account.keys.filter(
      (k) =>
        k.env === env &&
        roles.includes(k.role) &&
        (k.claimedBy === null || k.claimedBy === this.id),
    );
    return keys.length > 0
      ? pick(this.random, keys)
      : this.world.newKey(this.random, account, env, { claimedBy: this.id });
  }

  /**
   * An account an attacker signs up for: its own address (a VPS), a few resources of its own, no
   * background traffic. Several accounts of one attacker may share `network`.
   */
  throwawayAccount(network: Network = this.world.addresses.network4()): Account {
    const account: Account = {
      id: accountId(this.random),
      weight: 0.1,
      keys: [],
      home: network,
      hosts: [network.randomHost(this.random)],
      natIp: null,
      alive: new Map(),
      graveyard: new Map(),
      throwaway: true,
      claimedBy: this.id,
    };
    this.world.accounts.push(account);
    return account;
  }

  /** The account's existing resources in `env` of the given kinds, at most `n`. */
  ownResources(account: Account, env: Env, kinds: readonly Kind[], n: number) {
    const all = kinds.flatMap((kind) => this.world.pools(account, env)[kind]);
    const chosen: typeof all = [];
    const copy = [...all];
    while (chosen.length < n && copy.length > 0) {
      const i = int(this.random, 0, copy.length - 1);
      chosen.push(copy[i] as (typeof all)[number]);
      copy.splice(i, 1);
    }
    return chosen;
  }
}

/** Times of a schedule, sorted, with the action to run at each. */
export type Schedule = { at: number; run: () => void }[];

/** Runs a schedule in time order: the process form of "do these things at these times". */
export function* runSchedule(schedule: Schedule): Process {
  schedule.sort((a, b) => a.at - b.at);
  for (const step of schedule) {
    yield step.at;
    step.run();
  }
}
