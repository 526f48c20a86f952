import type { components } from '../api/schema';
import type { Translate } from './i18n';

type Schemas = components['schemas'];
type Summary = Schemas['SummarySection'];
type ExploitationType = Summary['exploitationTypes'][number];
type Indicator = NonNullable<Summary['indicators']>[number];
type AgeGroup = NonNullable<Summary['ageGroup']>;
type Gender = NonNullable<Summary['gender']>;
type RiskLevel = NonNullable<Summary['riskLevel']>;
type ResidenceStatus = NonNullable<Schemas['ImmigrationSectionView']['residenceStatus']>;
type CloseReason = Schemas['CloseCaseDto']['reason'];

/**
 * Every value of an API enum, in display order: the list must name each value the OpenAPI
 * document gives, so a value added to the API breaks the build until it has a place and a label.
 */
export function everyValueOf<T extends string>() {
  return <const L extends readonly T[]>(values: L & ([T] extends [L[number]] ? unknown : { missing: Exclude<T, L[number]> })): L => values;
}

/**
 * Labels for the API's closed sets, typed from the OpenAPI document. Each family's ids are spelled
 * `<family>.<value>`, so the type checker proves every value has a message in en.ts (and so,
 * through Messages, in every language).
 */
export const label = {
  exploitation: (t: Translate, value: ExploitationType) => t(`exploitation.${value}`),
  indicator: (t: Translate, value: Indicator) => t(`indicator.${value}`),
  purpose: (t: Translate, value: Schemas['Purpose']) => t(`purpose.${value}`),
  referralStatus: (t: Translate, value: Schemas['ReferralStatus']) => t(`referralStatus.${value}`),
  caseStatus: (t: Translate, value: Schemas['CaseDto']['status']) => t(`caseStatus.${value}`),
  section: (t: Translate, value: Schemas['Section']) => t(`section.${value}`),
  urgency: (t: Translate, value: Schemas['Urgency']) => t(`urgency.${value}`),
  access: (t: Translate, value: 'read' | 'write') => t(`access.${value}`),
  closeReason: (t: Translate, value: CloseReason) => t(`closeReason.${value}`),
  ageGroup: (t: Translate, value: AgeGroup) => t(`ageGroup.${value}`),
  gender: (t: Translate, value: Gender) => t(`gender.${value}`),
  risk: (t: Translate, value: RiskLevel) => t(`risk.${value}`),
  residence: (t: Translate, value: ResidenceStatus) => t(`residence.${value}`),
  auditAction: (t: Translate, value: Schemas['AuditAction']) => t(`auditAction.${value}`),
};

export const EXPLOITATION_TYPES = everyValueOf<ExploitationType>()([
  'sexual',
  'labour',
  'domestic_servitude',
  'forced_begging',
  'forced_criminality',
  'organ_removal',
  'forced_marriage',
  'other',
]);
export const INDICATORS = everyValueOf<Indicator>()([
  'abuse_of_vulnerability',
  'deception',
  'restriction_of_movement',
  'isolation',
  'physical_sexual_violence',
  'intimidation_threats',
  'retention_of_documents',
  'withholding_wages',
  'debt_bondage',
  'abusive_conditions',
  'excessive_overtime',
]);
export const AGE_GROUPS = everyValueOf<AgeGroup>()(['0-11', '12-17', '18-25', '26-40', '41-64', '65+', 'unknown']);
export const GENDERS = everyValueOf<Gender>()(['female', 'male', 'other', 'unknown']);
export const RISK_LEVELS = everyValueOf<RiskLevel>()(['low', 'medium', 'high']);
export const CLOSE_REASONS = everyValueOf<CloseReason>()(['referred_elsewhere', 'returned_home', 'permit_granted', 'not_a_victim', 'lost_contact', 'other']);
export const RESIDENCE_STATUSES = everyValueOf<ResidenceStatus>()(['none', 'reflection_period', 'temporary_permit', 'permanent_permit', 'other']);
