/** Whether a user may read a case right now, decided by the same rules as the API. */
export interface CaseVisibility {
  /** Those of `userIds` who may read the case now (the case is loaded once for all of them). */
  visibleTo(userIds: readonly string[], caseId: string): Promise<Set<string>>;
}

export const CASE_VISIBILITY = Symbol('CASE_VISIBILITY');
