/**
 * A discrete-event simulation of the platform's clients. Every client (a key's background
 * traffic, an attack, a migration job) is a generator that yields the time it wants to act next;
 * the simulation resumes it at that time, in global time order, and the requests it emits then
 * see the world exactly as all earlier requests left it (a resource deleted a second ago by
 * another client is gone). Deciding at wake-up rather than ahead is what keeps every
 * `resource_owner` consistent with the DELETEs before it.
 */
import type { Env, Kind } from './ids.js';

/** One API response as the platform saw it, before a gateway writes it as a log line. */
export interface ApiResponse {
  /** True time the response was sent (a gateway's clock may say otherwise). */
  at: number;
  /** Label of the episode that produced it; null for background traffic. */
  episode: string | null;
  env: Env;
  method: string;
  path: string;
  /** Templated route; null when the router matched none (an unknown path). */
  route: string | null;
  resourceType: Kind | null;
  resourceId: string | null;
  status: number;
  error: string | null;
  /** Absent: the platform did not look the resource up (throttled, unauthenticated, lists). */
  owner?: string | null;
  resourceEnv?: Env;
  keyId: string | null;
  accountId: string | null;
  clientIp: string;
  userAgent: string;
  latencyMs: number;
}

/** Yields the time (epoch ms) it wants to be resumed at; returns when done. */
export type Process = Generator<number, void, undefined>;

interface Waiting {
  at: number;
  order: number;
  process: Process;
}

export class Simulation {
  /** The time of the process being resumed. */
  now = 0;
  private readonly heap: Waiting[] = [];
  private spawned = 0;

  constructor(private readonly sink: (response: ApiResponse) => void) {}

  /** Starts `process`: its code up to the first `yield` runs now (set-up, before any traffic). */
  spawn(process: Process): void {
    const first = process.next();
    if (first.done === true) return;
    this.push({ at: first.value, order: this.spawned, process });
    this.spawned += 1;
  }

  emit(response: Omit<ApiResponse, 'at'>): void {
    this.sink({ ...response, at: this.now });
  }

  /** Resumes processes in time order until none is left. */
  run(): void {
    for (;;) {
      const next = this.pop();
      if (next === undefined) return;
      this.now = next.at;
      const step = next.process.next();
      if (step.done === true) continue;
      // A process may not travel back in time: that would let it act on a stale world.
      next.at = Math.max(step.value, this.now);
      this.push(next);
    }
  }

  private less(a: Waiting, b: Waiting): boolean {
    return a.at < b.at || (a.at === b.at && a.order < b.order);
  }

  private push(item: Waiting): void {
    const heap = this.heap;
    heap.push(item);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent] as Waiting;
      if (!this.less(item, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = item;
  }

  private pop(): Waiting | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let smallest = last;
      let at = -1;
      const left = heap[l];
      const right = heap[r];
      if (left !== undefined && this.less(left, smallest)) {
        smallest = left;
        at = l;
      }
      if (right !== undefined && this.less(right, smallest)) {
        smallest = right;
        at = r;
      }
      if (at < 0) break;
      heap[i] = smallest;
      i = at;
    }
    heap[i] = last;
    return top;
  }
}
