import type { RuleId } from '@denyscope/alerts';
import type { EpisodeKind } from './episodes/context.js';

/**
 * Ground truth for one injected episode, as written to labels.json. `subjects` are what an alert
 * may name to be about it: its keys, their accounts, and the addresses or networks it came from.
 * `start`/`end` are the first and last event time its lines carry (gateway clocks included).
 */
export interface Label {
  id: string;
  kind: EpisodeKind;
  class: string;
  /** For attacks, the rule that must page; null for benign episodes. */
  expected_rule: RuleId | null;
  expected_to_page: boolean;
  subjects: {
    key_ids: string[];
    account_ids: string[];
    /** Addresses, or networks in CIDR notation (`100.77.12.0/24`, `2001:db8:1:2::/64`). */
    client_ips: string[];
  };
  start: string;
  end: string;
  /** Lines of the episode (duplicates not counted). */
  events: number;
  /** The randomised parameters it was generated with. */
  params: Record<string, string | number | boolean>;
}
