import { CheckStatus, CheckResult, CheckId, CHECKS } from './checks.js';

type Outcome = CheckStatus | boolean;

export class Results {
  readonly list: CheckResult[] = [];
  add(id: CheckId, outcome: Outcome, detail: string, fix?: string): void {
    const status: CheckStatus = outcome === true ? 'pass' : outcome === false ? 'fail' : outcome;
    this.list.push({ id, title: CHECKS[id].title, status, detail, ...(status === 'fail' || status === 'warn' ? { fix } : {}) });
  }
}

/** The worst of several outcomes: fail, then warn, then pass; skip when there are none. */
export function worst(outcomes: CheckStatus[]): CheckStatus {
  for (const s of ['fail', 'warn', 'pass'] as const) if (outcomes.includes(s)) return s;
  return 'skip';
}

/** DoctorFacts in; one result per check, with a fix for each failure and warning. */
