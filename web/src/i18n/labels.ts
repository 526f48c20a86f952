import type { Translate } from './i18n';

/**
 * Labels for the API's closed sets. Each family's ids are spelled `<family>.<value>`, so the type
 * checker proves every value has a message in en.ts (and so, through Messages, in every language).
 */
export const label = {
  exploitation: (
    t: Translate,
    value: 'sexual' | 'labour' | 'domestic_servitude' | 'forced_begging' | 'forced_criminality' | 'organ_removal' | 'forced_marriage' | 'other',
  ) => t(`exploitation.${value}`),
  indicator: (
    t: Translate,
    value:
      | 'abuse_of_vulnerability'
      | 'deception'
      | 'restriction_of_movement'
      | 'isolation'
      | 'physical_sexual_violence'
      | 'intimidation_threats'
      | 'retention_of_documents'
      | 'withholding_wages'
      | 'debt_bondage'
      | 'abusive_conditions'
      | 'excessive_overtime',
  ) => t(`indicator.${value}`),
  purpose: (t: Translate, value: 'shelter' | 'prosecution' | 'investigation' | 'labour_inspection' | 'residence' | 'lead') => t(`purpose.${value}`),
  referralStatus: (t: Translate, value: 'pending' | 'accepted' | 'declined' | 'withdrawn' | 'expired') => t(`referralStatus.${value}`),
  caseStatus: (t: Translate, value: 'open' | 'closed') => t(`caseStatus.${value}`),
  section: (t: Translate, value: 'summary' | 'identity' | 'care' | 'investigation' | 'immigration') => t(`section.${value}`),
  urgency: (t: Translate, value: 'urgent' | 'routine') => t(`urgency.${value}`),
  access: (t: Translate, value: 'read' | 'write') => t(`access.${value}`),
  closeReason: (t: Translate, value: 'referred_elsewhere' | 'returned_home' | 'permit_granted' | 'not_a_victim' | 'lost_contact' | 'other') =>
    t(`closeReason.${value}`),
  ageGroup: (t: Translate, value: '0-11' | '12-17' | '18-25' | '26-40' | '41-64' | '65+' | 'unknown') => t(`ageGroup.${value}`),
  gender: (t: Translate, value: 'female' | 'male' | 'other' | 'unknown') => t(`gender.${value}`),
  risk: (t: Translate, value: 'low' | 'medium' | 'high') => t(`risk.${value}`),
  residence: (t: Translate, value: 'none' | 'reflection_period' | 'temporary_permit' | 'permanent_permit' | 'other') => t(`residence.${value}`),
};

export const EXPLOITATION_TYPES = [
  'sexual',
  'labour',
  'domestic_servitude',
  'forced_begging',
  'forced_criminality',
  'organ_removal',
  'forced_marriage',
  'other',
] as const;
export const INDICATORS = [
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
] as const;
export const AGE_GROUPS = ['0-11', '12-17', '18-25', '26-40', '41-64', '65+', 'unknown'] as const;
export const GENDERS = ['female', 'male', 'other', 'unknown'] as const;
export const RISK_LEVELS = ['low', 'medium', 'high'] as const;
export const CLOSE_REASONS = ['referred_elsewhere', 'returned_home', 'permit_granted', 'not_a_victim', 'lost_contact', 'other'] as const;
export const RESIDENCE_STATUSES = ['none', 'reflection_period', 'temporary_permit', 'permanent_permit', 'other'] as const;
