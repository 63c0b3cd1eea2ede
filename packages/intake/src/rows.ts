import type {
  ApiEvent,
  IdClassifier,
  OwnerState,
  V1StoredColumn,
  V1StoredRow,
} from '@denyscope/events';
import { clientNetwork, effectiveResourceEnv, ownerStateOf } from '@denyscope/events';

/**
 * A row of the `denials` table, and of `foreign_access` (the same columns but `client_net`), as
 * sent to ClickHouse (DateTime as unix seconds): the stored v1 fields, typed from the field
 * table (V1StoredRow), and what ingest derives from them.
 */
export interface DenialRow extends V1StoredRow {
  resource_pattern: string;
  resource_num: number;
  has_num: number;
  key_env: string;
  /** OWNER_UNKNOWN, NO_SUCH_RESOURCE or OWNED (packages/events/src/owner-state.ts). */
  owner_state: OwnerState;
  /** The network of client_ip (IPv4 /24, IPv6 /64) as a CIDR; '' when it is not an address. */
  client_net: string;
}

/** The columns of a DenialRow that ingest derives from an event rather than copying a v1 field. */
export const DERIVED_DENIAL_COLUMNS = [
  'resource_pattern',
  'resource_num',
  'has_num',
  'key_env',
  'owner_state',
] as const satisfies readonly Exclude<keyof DenialRow, V1StoredColumn>[];

/** '' when the environment is the one the request was served in (or unknown): only others count. */
function otherEnv(env: string | null, servedIn: string): string {
  return env === null || env === servedIn ? '' : env;
}

/**
 * Whether a response that was not denied addressed another account's resource: kept in
 * foreign_access, where a 2xx means the authorization check itself failed.
 */
export function isForeignAccess(event: ApiEvent): boolean {
  return (
    !event.isDenial &&
    typeof event.resourceOwner === 'string' &&
    event.accountId !== null &&
    event.resourceOwner !== event.accountId
  );
}

export function denialRow(event: ApiEvent, classifier: IdClassifier): DenialRow {
  const resourceId = event.resourceId ?? '';
  const classification = classifier(resourceId);
  return {
    event_time: Math.floor(event.ts / 1000),
    request_id: event.requestId,
    env: event.env,
    method: event.method,
    path: event.path,
    route: event.route ?? '',
    status: event.status,
    key_id: event.keyId ?? '',
    account_id: event.accountId ?? '',
    resource_type: event.resourceType ?? '',
    resource_id: resourceId,
    resource_pattern: event.resourceId === null ? '' : classification.pattern,
    resource_num: classification.numeric ?? 0,
    has_num: classification.numeric === null ? 0 : 1,
    resource_env: otherEnv(effectiveResourceEnv(event, classification), event.env),
    key_env: otherEnv(event.keyId === null ? null : classifier(event.keyId).markerEnv, event.env),
    resource_owner: event.resourceOwner ?? '',
    owner_state: ownerStateOf(event.resourceOwner),
    client_ip: event.clientIp ?? '',
    client_net: clientNetwork(event.clientIp),
    user_agent: event.userAgent ?? '',
    latency_ms: event.latencyMs ?? 0,
  };
}
