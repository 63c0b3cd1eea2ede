/**
 * The runbook as a link, when NOTIFY_RUNBOOK_BASE_URL is set. Only a relative path (the contract's
 * `docs/runbooks/<rule>.md`) is resolved: an absolute URL or `//host` in an alert must not turn
 * into a link to somewhere else.
 */
export function runbookUrl(runbook: string, baseUrl: string | undefined): string | undefined {
  if (baseUrl === undefined || runbook === '') return undefined;
  if (
    /^[A-Za-z][A-Za-z0-9+.-]*:/.test(runbook) ||
    runbook.startsWith('/') ||
    runbook.includes('\\')
  ) {
    return undefined;
  }
  return new URL(runbook, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`).href;
}
