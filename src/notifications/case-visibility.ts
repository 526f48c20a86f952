/** Whether a user may read a case right now, decided by the same rules as the API. */
export interface CaseVisibility {
  canSee(userId: string, caseId: string): Promise<boolean>;
}

export const CASE_VISIBILITY = Symbol('CASE_VISIBILITY');
