/**
 * Distributed enumeration: one scan split over 20–60 throwaway keys (of one to three attacker
 * accounts) calling from many addresses of one network, each key guessing only 2–6 IDs, so that
 * no key and no single address comes near a threshold. Only the network as a whole scans: the
 * label names the network (`a.b.c.0/24`, or an IPv6 `/64`).
 */
import type { Caller } from '../caller.js';
import { invoiceId, inventedId } from '../ids.js';
import { chance, int, pick, sample } from '../random.js';
import type { Process } from '../simulation.js';
import { SDK_USER_AGENTS, TOOL_USER_AGENTS } from '../world.js';
import { type EpisodeContext, MINUTE, type Schedule, runSchedule } from './context.js';

function distributedScan(ctx: EpisodeContext, family: 4 | 6): Process {
  const { random, world } = ctx;
  const network = family === 4 ? world.addresses.network4() : world.addresses.network6();
  ctx.networks.push(network.cidr);
  const accounts = Array.from({ length: int(random, 1, 3) }, () => ctx.throwawayAccount(network));
  const hosts = [
    ...new Set(Array.from({ length: int(random, 8, 120) }, () => network.randomHost(random))),
  ];
  // Some attackers copy an SDK's user agent to blend in.
  const userAgent = chance(random, 0.5)
    ? pick(random, TOOL_USER_AGENTS)
    : pick(random, SDK_USER_AGENTS);
  const keyCount = int(random, 20, 60);
  const { start, span } = ctx.place(int(random, 5, 15) * MINUTE);
  const sequential = chance(random, 0.5);
  let next = world.invoiceFrontier - int(random, 0, 5_000);

  const schedule: Schedule = [];
  let guesses = 0;
  for (let k = 0; k < keyCount; k += 1) {
    const account = pick(random, accounts);
    const ips = sample(random, hosts, int(random, 1, 2));
    const key = world.newKey(random, account, 'production', { ips, userAgent, claimedBy: ctx.id });
    const caller: Caller = ctx.caller(key);
    const perKey = int(random, 2, 6);
    guesses += perKey;
    for (let g = 0; g < perKey; g += 1) {
      schedule.push({
        at: start + Math.floor(random() * span),
        run: () => {
          // The walk advances in time order across keys: each key takes the next numbers.
          if (sequential) {
            next -= 1;
            caller.access('GET', 'invoice', invoiceId(next));
          } else {
            const kind = pick(random, ['customer', 'subscription', 'document'] as const);
            caller.access('GET', kind, inventedId(random, kind, 'production', ctx.sim.now));
          }
        },
      });
    }
    for (let l = int(random, 0, 2); l > 0; l -= 1) {
      schedule.push({ at: start + Math.floor(random() * span), run: () => caller.list('invoice') });
    }
  }
  Object.assign(ctx.params, {
    network: network.cidr,
    keys: keyCount,
    accounts: accounts.length,
    hosts: hosts.length,
    guesses,
    sequential,
    span_min: Math.round(span / MINUTE),
  });
  return runSchedule(schedule);
}

export function distributedScanIpv4(ctx: EpisodeContext): Process {
  return distributedScan(ctx, 4);
}

export function distributedScanIpv6(ctx: EpisodeContext): Process {
  return distributedScan(ctx, 6);
}
