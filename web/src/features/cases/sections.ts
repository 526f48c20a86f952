import type { MessageId } from '../../i18n/en';
import type { Translate } from '../../i18n/i18n';
import { AGE_GROUPS, EXPLOITATION_TYPES, GENDERS, INDICATORS, label, RESIDENCE_STATUSES, RISK_LEVELS } from '../../i18n/labels';
import type { SectionName } from '../../api/types';

/** How one field of a section is shown and edited. Lists are edited as comma-separated text. */
export interface FieldSpec {
  name: string;
  label: MessageId;
  kind: 'text' | 'textarea' | 'date' | 'select' | 'list' | 'boolean';
  options?: (t: Translate) => { value: string; label: string }[];
  /** Shown but not editable here (set through its own action or a structured editor). */
  readOnly?: boolean;
}

export const SECTION_ORDER: SectionName[] = ['summary', 'identity', 'care', 'investigation', 'immigration'];

export const SECTION_FIELDS: Record<SectionName, FieldSpec[]> = {
  summary: [
    { name: 'riskLevel', label: 'field.riskLevel', kind: 'select', options: (t) => RISK_LEVELS.map((value) => ({ value, label: label.risk(t, value) })) },
    { name: 'ageGroup', label: 'field.ageGroup', kind: 'select', options: (t) => AGE_GROUPS.map((value) => ({ value, label: label.ageGroup(t, value) })) },
    { name: 'gender', label: 'field.gender', kind: 'select', options: (t) => GENDERS.map((value) => ({ value, label: label.gender(t, value) })) },
    { name: 'languages', label: 'field.languages', kind: 'list' },
    { name: 'needs', label: 'field.needs', kind: 'list' },
    {
      name: 'exploitationTypes',
      label: 'field.exploitationTypes',
      kind: 'list',
      readOnly: true,
      options: (t) => EXPLOITATION_TYPES.map((value) => ({ value, label: label.exploitation(t, value) })),
    },
    {
      name: 'indicators',
      label: 'field.indicators',
      kind: 'list',
      readOnly: true,
      options: (t) => INDICATORS.map((value) => ({ value, label: label.indicator(t, value) })),
    },
    { name: 'minor', label: 'field.minor', kind: 'boolean', readOnly: true },
  ],
  identity: [
    { name: 'fullName', label: 'field.fullName', kind: 'text' },
    { name: 'aliases', label: 'field.aliases', kind: 'list' },
    { name: 'dateOfBirth', label: 'field.dateOfBirth', kind: 'date' },
    { name: 'nationality', label: 'field.nationality', kind: 'text' },
  ],
  care: [
    { name: 'placement', label: 'field.placement', kind: 'text' },
    { name: 'medicalNeeds', label: 'field.medicalNeeds', kind: 'textarea' },
    { name: 'psychosocialNeeds', label: 'field.psychosocialNeeds', kind: 'textarea' },
    { name: 'interpreterLanguage', label: 'field.interpreterLanguage', kind: 'text' },
  ],
  investigation: [
    { name: 'statementSummary', label: 'field.statementSummary', kind: 'textarea' },
    { name: 'policeReportNumber', label: 'field.policeReportNumber', kind: 'text' },
    {
      name: 'handlingCode',
      label: 'field.handlingCode',
      kind: 'select',
      options: () => ['H0', 'H1', 'H2', 'H3'].map((value) => ({ value, label: value })),
    },
    { name: 'locations', label: 'field.locations', kind: 'list' },
    { name: 'evidenceRefs', label: 'field.evidenceRefs', kind: 'list' },
  ],
  immigration: [
    {
      name: 'residenceStatus',
      label: 'field.residenceStatus',
      kind: 'select',
      options: (t) => RESIDENCE_STATUSES.map((value) => ({ value, label: label.residence(t, value) })),
    },
  ],
};
