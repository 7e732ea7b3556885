import type { CheckContext, CheckOutcome, CheckReason, CheckRunner, CheckSubject } from '../checks/check-runner.js';
import { buildSanctionsIndex, type SanctionsIndex, type ScreeningMatch } from './matcher.js';
import type { SanctionsList } from './sdn-list.js';

export interface SanctionsThresholds {
  /** At or above, with a date of birth that does not contradict the entry: `fail`. */
  readonly fail: number;
  /** At or above (and below `fail`, or a contradicted date of birth): `refer` to an operator. */
  readonly refer: number;
}

export const DEFAULT_SANCTIONS_THRESHOLDS: SanctionsThresholds = { fail: 0.97, refer: 0.85 };

export interface SanctionsCheckOptions {
  /** A parsed list, or an index built from one (build it once: building is the slow part). */
  readonly list: SanctionsList | SanctionsIndex;
  readonly thresholds?: Partial<SanctionsThresholds>;
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

/**
 * The `sanctions` check: screens the applicant's `given family` name against the list, with the revealed
 * date of birth and the applicant's country as tie-breakers. Evidence carries the list entry (public data),
 * scores and thresholds, never the applicant's date of birth. Odd input is a `pass` with a reason, or a
 * `refer` when the date of birth could not be read and the name alone is close; it never throws.
 */
export function createSanctionsCheckRunner(options: SanctionsCheckOptions): CheckRunner {
  const index = isIndex(options.list) ? options.list : buildSanctionsIndex(options.list);
  const thresholds: SanctionsThresholds = { ...DEFAULT_SANCTIONS_THRESHOLDS, ...(options.thresholds ?? {}) };

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
    const base = { listSnapshotId: index.snapshotId, listSize: index.size, thresholds };
    let matches: ScreeningMatch[];
    try {
      matches = index.screen({ name: `${given} ${family}`, dateOfBirth, country }, { minScore: Math.min(thresholds.refer, 0.75), limit: 3 });
    } catch (err) {
      // The matcher is pure and should not throw; if it does, an operator must look rather than a silent pass.
      return {
        kind: 'sanctions',
        result: 'refer',
        reasons: [...reasons, { code: 'screening-error', detail: err instanceof Error ? err.message : String(err) }],
        evidence: { ...base, match: null },
      };
    }
    if (`${given}${family}`.trim() === '') reasons.push({ code: 'name-missing', detail: 'applicant has no name to screen' });
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
