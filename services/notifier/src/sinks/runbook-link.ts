import { RULE_IDS, runbookPath } from '@denyscope/alerts';

/** The contract's runbook paths, `docs/runbooks/<rule>.md`, one per rule. */
const RUNBOOK_PATHS: ReadonlySet<string> = new Set(RULE_IDS.map(runbookPath));

/**
 * The runbook as a link, when NOTIFY_RUNBOOK_BASE_URL is set; otherwise, or when the alert's
 * `runbook` is anything else, undefined (the sinks then show it as text). An alert's fields come
 * from untrusted events, so only two forms are linked: the contract's relative path
 * `docs/runbooks/<rule>.md`, resolved against the base URL, and an http(s) URL that already lies
 * under the base URL. The value is trimmed and then compared whole, before any URL parsing: the
 * WHATWG parser strips leading spaces and C0 controls and drops tabs and newlines anywhere, so a
 * check on the raw string followed by `new URL()` let " //evil.example/x" through as
 * https://evil.example/x (issue 11).
 */
export function runbookUrl(runbook: string, baseUrl: string | undefined): string | undefined {
  if (baseUrl === undefined) return undefined;
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const value = runbook.trim();
  if (RUNBOOK_PATHS.has(value)) return new URL(value, base).href;
  if (!/^https?:\/\/[\x21-\x7e]+$/.test(value)) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  // Compared after parsing too, so ".." segments cannot climb out from under the base.
  const baseHref = new URL(base).href;
  return value.startsWith(baseHref) && url.href.startsWith(baseHref) ? url.href : undefined;
}
