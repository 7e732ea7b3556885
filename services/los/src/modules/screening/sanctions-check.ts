import type { CheckContext, CheckOutcome, CheckReason, CheckRunner, CheckSubject } from '../checks/check-runner.js';
import { buildSanctionsIndex, type SanctionsIndex, type ScreeningMatch } from './matcher.js';
import type { PepEntry, PepList } from './pep-list.js';
import type { SanctionsList } from './sdn-list.js';

export interface SanctionsThresholds {
  /** At or above, with a date of birth that does not contradict the entry: `fail`. */
  readonly fail: number;
  /** At or above (and below `fail`, or a contradicted date of birth): `refer` to an operator. */
  readonly refer: number;
}

export const DEFAULT_SANCTIONS_THRESHOLDS: SanctionsThresholds = { fail: 0.97, refer: 0.85 };

/**
 * A PEP hit at or above this score, with a date of birth that does not contradict the entry's, is a
 * `refer` (enhanced due diligence). PEP lists carry ordinary names, so the bar is higher than for SDN.
 */
export const DEFAULT_PEP_THRESHOLD = 0.9;

export interface SanctionsCheckOptions {
  /** A parsed list, or an index built from one (build it once: building is the slow part). */
  readonly list: SanctionsList | SanctionsIndex;
  readonly thresholds?: Partial<SanctionsThresholds>;
  /** Politically exposed persons (pep-list.ts): a hit is a `refer` with reason `pep-match`; a sanctions `fail` wins. */
  readonly pep?: PepList;
  readonly pepThreshold?: number;
}

function isIndex(list: SanctionsList | SanctionsIndex): list is SanctionsIndex {
  return typeof (list as SanctionsIndex).screen === 'function';
}

function matchEvidence(m: ScreeningMatch): Record<string, unknown> {
  return {
    uid: m.entry.uid,
    name: m.entry.name,
    type: m.entry.type,
    programs: m.entry.programs,
    matchedName: m.matchedName,
    matchedAlias: m.matchedAlias ? m.matchedName : null,
    nameScore: m.nameScore,
    score: m.score,
    dateOfBirth: m.dateOfBirth,
    country: m.country,
  };
}

function pepEvidence(m: ScreeningMatch, entry: PepEntry | undefined): Record<string, unknown> {
  return {
    list: 'pep',
    id: m.entry.uid,
    name: m.entry.name,
    role: entry?.role ?? m.entry.title,
    country: entry?.country ?? null,
    termStart: entry?.termStart ?? null,
    termEnd: entry?.termEnd ?? null,
    matchedName: m.matchedName,
    matchedAlias: m.matchedAlias ? m.matchedName : null,
    nameScore: m.nameScore,
    score: m.score,
    dateOfBirth: m.dateOfBirth,
    countryAgreement: m.country,
  };
}

/**
 * The `sanctions` check: screens the applicant's `given family` name against the list, with the revealed
 * date of birth and the applicant's country as tie-breakers. Evidence carries the list entry (public data),
 * scores and thresholds, never the applicant's date of birth. Odd input is a `pass` with a reason, or a
 * `refer` when the date of birth could not be read and the name alone is close; it never throws.
 */
export function createSanctionsCheckRunner(options: SanctionsCheckOptions): CheckRunner {
  const index = isIndex(options.list) ? options.list : buildSanctionsIndex(options.list);
  const thresholds: SanctionsThresholds = { ...DEFAULT_SANCTIONS_THRESHOLDS, ...(options.thresholds ?? {}) };
  const pepIndex = options.pep ? buildSanctionsIndex(options.pep) : null;
  const pepEntries = new Map<string, PepEntry>((options.pep?.entries ?? []).map((e) => [e.uid, e]));
  const pepThreshold = options.pepThreshold ?? DEFAULT_PEP_THRESHOLD;

  /** Screens the PEP list (when configured) and turns a sanctions `pass`/`refer` into a PEP `refer`. */
  function withPep(outcome: CheckOutcome, query: { name: string; dateOfBirth: string | null; country: string | null }): CheckOutcome {
    if (!pepIndex || outcome.result === 'fail') return outcome;
    const evidence = { ...(outcome.evidence ?? {}), pepSnapshotId: pepIndex.snapshotId, pepListSize: pepIndex.size, pepThreshold };
    let matches: ScreeningMatch[];
    try {
      matches = pepIndex.screen(query, { minScore: 0.75, limit: 3 });
    } catch (err) {
      return { ...outcome, result: 'refer', reasons: [...outcome.reasons, { code: 'screening-error', detail: err instanceof Error ? err.message : String(err) }], evidence: { ...evidence, pepMatch: null } };
    }
    const top = matches[0];
    if (!top || top.score < pepThreshold || top.dateOfBirth === 'disagrees') {
      return { ...outcome, evidence: { ...evidence, pepMatch: null, pepNearest: top ? pepEvidence(top, pepEntries.get(top.entry.uid)) : null } };
    }
    const entry = pepEntries.get(top.entry.uid);
    return {
      ...outcome,
      result: 'refer',
      score: Math.max(outcome.score ?? 0, top.score),
      reasons: [
        ...outcome.reasons,
        {
          code: 'pep-match',
          detail: `politically exposed person ${top.entry.uid} ${top.entry.name} (${entry?.role ?? top.entry.title ?? 'public office'}) scored ${top.score.toFixed(3)} (date of birth ${top.dateOfBirth}, country ${top.country}): enhanced due diligence`,
        },
      ],
      evidence: { ...evidence, pepMatch: pepEvidence(top, entry) },
    };
  }

  async function run(subject: CheckSubject, _ctx: CheckContext): Promise<CheckOutcome> {
    const reasons: CheckReason[] = [];
    const given = typeof subject?.applicant?.name?.given === 'string' ? subject.applicant.name.given : '';
    const family = typeof subject?.applicant?.name?.family === 'string' ? subject.applicant.name.family : '';
    const country = typeof subject?.applicant?.country === 'string' ? subject.applicant.country : null;
    let dateOfBirth: string | null = null;
    try {
      const revealed = await subject.reveal('date-of-birth');
      dateOfBirth = typeof revealed === 'string' ? revealed : null;
    } catch {
      reasons.push({ code: 'date-of-birth-unavailable', detail: 'date of birth could not be revealed; screened on name and country only' });
    }
    const query = { name: `${given} ${family}`, dateOfBirth, country };
    if (`${given}${family}`.trim() === '') reasons.push({ code: 'name-missing', detail: 'applicant has no name to screen' });
    return withPep(screenSanctions(query, reasons), query);
  }

  function screenSanctions(query: { name: string; dateOfBirth: string | null; country: string | null }, reasons: CheckReason[]): CheckOutcome {
    const base = { listSnapshotId: index.snapshotId, listSize: index.size, thresholds };
    let matches: ScreeningMatch[];
    try {
      matches = index.screen(query, { minScore: Math.min(thresholds.refer, 0.75), limit: 3 });
    } catch (err) {
      // The matcher is pure and should not throw; if it does, an operator must look rather than a silent pass.
      return {
        kind: 'sanctions',
        result: 'refer',
        reasons: [...reasons, { code: 'screening-error', detail: err instanceof Error ? err.message : String(err) }],
        evidence: { ...base, match: null },
      };
    }
    const top = matches[0];
    if (!top || top.score < thresholds.refer) {
      return {
        kind: 'sanctions',
        result: 'pass',
        score: top?.score ?? 0,
        reasons,
        evidence: { ...base, match: null, nearest: top ? matchEvidence(top) : null },
      };
    }
    const strong = top.score >= thresholds.fail && top.dateOfBirth !== 'disagrees';
    reasons.push({
      code: strong ? 'sanctions-match' : 'sanctions-possible-match',
      detail: `${top.matchedAlias ? `alias "${top.matchedName}" of ` : ''}OFAC SDN ${top.entry.uid} ${top.entry.name} [${top.entry.programs.join(', ')}] scored ${top.score.toFixed(3)} (date of birth ${top.dateOfBirth}, country ${top.country})`,
    });
    return {
      kind: 'sanctions',
      result: strong ? 'fail' : 'refer',
      score: top.score,
      reasons,
      evidence: { ...base, match: matchEvidence(top), others: matches.slice(1).map(matchEvidence) },
    };
  }

  return { kind: 'sanctions', run };
}
