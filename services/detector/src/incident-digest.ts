import { SEVERITIES, severityRank, type RuleId, type Severity } from '@denyscope/alerts';
import { subjectKeyOf, type Finding, type Subject } from '@denyscope/detections';

// Bounded blast radius (issue 11; docs/rules.md, "Bounded blast radius"). A subject is any string
// an event carries, so an attacker can make one rule report thousands of subjects at once. A rule
// has at most DETECT_MAX_NEW_INCIDENTS_PER_RULE incidents of its own firing; further subjects are
// folded into the rule's one digest incident, which escalates and updates like any incident.

/**
 * The subject of a rule's digest incident. No rule reports a key without its account (`key_id`
 * alone), so its subject key cannot be a real subject's; `denyscope alerts mute --key '*digest*'`
 * mutes it.
 */
export const DIGEST_SUBJECT: Readonly<Subject> = Object.freeze({ key_id: '*digest*' });
export const DIGEST_SUBJECT_KEY = subjectKeyOf(DIGEST_SUBJECT);

/** Subjects listed in a digest's evidence and summary: the evidence stays small whatever the flood. */
const SAMPLE_SIZE = 20;
const SUMMARY_SUBJECTS = 3;
const LABEL_CHARS = 64;

/**
 * The headline count of a finding: the value of the first fact its decision crossed (distinct IDs,
 * keys, foreign resources…), 0 when it has none. Within one rule the first fact is the same kind.
 */
function evidenceSize(finding: Finding): number {
  const crossed = (finding.evidence.decision as { crossed?: { value?: unknown }[] } | undefined)
    ?.crossed;
  const value = Array.isArray(crossed) ? crossed[0]?.value : undefined;
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/**
 * The order in which subjects get their own incident: the most severe first, then the largest
 * evidence (evidenceSize), then the most recent last_seen, then the subject key, so that every
 * detector instance and a replay pick the same ones.
 */
export function rankForOpening(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      evidenceSize(b) - evidenceSize(a) ||
      b.lastSeen.getTime() - a.lastSeen.getTime() ||
      (a.subjectKey < b.subjectKey ? -1 : a.subjectKey > b.subjectKey ? 1 : 0),
  );
}

function label(subject: Subject): string {
  const text = Object.values(subject)
    .filter((value): value is string => typeof value === 'string')
    .join('/');
  return text.length > LABEL_CHARS ? `${text.slice(0, LABEL_CHARS)}…` : text;
}

/**
 * One finding about the rule's digest for the subjects left out this evaluation (`folded`, in
 * rank order, non-empty). Its severity is the highest of theirs, its times span theirs.
 */
export function digestFinding(rule: RuleId, folded: readonly Finding[], cap: number): Finding {
  const [top] = folded;
  if (top === undefined) throw new Error('a digest needs at least one folded finding');
  const bySeverity: Partial<Record<Severity, number>> = {};
  for (const finding of folded) {
    bySeverity[finding.severity] = (bySeverity[finding.severity] ?? 0) + 1;
  }
  const min = (dates: Date[]) => new Date(Math.min(...dates.map((d) => d.getTime())));
  const max = (dates: Date[]) => new Date(Math.max(...dates.map((d) => d.getTime())));
  const named = folded.slice(0, SUMMARY_SUBJECTS).map((f) => label(f.subject));
  const more = folded.length > SUMMARY_SUBJECTS ? ', …' : '';
  return {
    rule,
    subjectKey: DIGEST_SUBJECT_KEY,
    subject: { ...DIGEST_SUBJECT },
    // Severities are ranked, so the top-ranked finding is the most severe.
    severity: top.severity,
    env: top.env,
    window: {
      start: min(folded.map((f) => f.window.start)),
      end: max(folded.map((f) => f.window.end)),
    },
    firstSeen: min(folded.map((f) => f.firstSeen)),
    lastSeen: max(folded.map((f) => f.lastSeen)),
    summary: `${folded.length} more subjects of ${rule}: ${named.join(', ')}${more}`,
    evidence: {
      decision: {
        crossed: [
          {
            fact: 'subjects',
            value: folded.length,
            threshold: `beyond ${cap} incidents of the rule (DETECT_MAX_NEW_INCIDENTS_PER_RULE)`,
          },
        ],
        severity_reason: `the most severe of the folded subjects (${top.severity})`,
      },
      digest: true,
      cap,
      subjects: folded.length,
      by_severity: Object.fromEntries(
        SEVERITIES.filter((s) => bySeverity[s] !== undefined).map((s) => [s, bySeverity[s]]),
      ),
      sample: folded.slice(0, SAMPLE_SIZE).map((f) => ({
        subject: f.subject,
        severity: f.severity,
        last_seen: f.lastSeen.toISOString(),
        summary: f.summary,
      })),
    },
  };
}
