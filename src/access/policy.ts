import { OrganisationType } from './organisation-type';

export enum Section {
  Summary = 'summary',
  Identity = 'identity',
  Care = 'care',
  Investigation = 'investigation',
  Immigration = 'immigration',
}
export const SECTIONS = Object.values(Section);

export enum Purpose {
  Lead = 'lead',
  Shelter = 'shelter',
  Prosecution = 'prosecution',
  Investigation = 'investigation',
  LabourInspection = 'labour_inspection',
  Residence = 'residence',
}
export const PURPOSES = Object.values(Purpose);

export enum LegalBasis {
  Lead = 'lead',
  LawEnforcement = 'law_enforcement',
  Treaty = 'treaty',
  Consent = 'consent',
  BreakGlass = 'break_glass',
}

export type SectionAccess = 'read' | 'write';

export interface PurposePolicy {
  /** The organisation types a participation with this purpose can belong to. */
  organisationTypes: readonly OrganisationType[];
  sections: Partial<Record<Section, SectionAccess>>;
}

const r = 'read' as const;
const w = 'write' as const;

/**
 * Sections granted by purpose: PRODUCT.md's matrix, as data. Everything about who may read or
 * write which section of a case follows from this table (through CaseAbilityFactory), for
 * single records and list queries alike.
 */
export const PURPOSE_POLICY: Record<Purpose, PurposePolicy> = {
  [Purpose.Lead]: {
    organisationTypes: [OrganisationType.Police, OrganisationType.LabourInspection],
    sections: { summary: w, identity: w, investigation: w, immigration: r },
  },
  [Purpose.Shelter]: {
    organisationTypes: [OrganisationType.ReceptionCentre],
    sections: { summary: r, identity: w, care: w, immigration: r },
  },
  [Purpose.Prosecution]: {
    organisationTypes: [OrganisationType.Prosecution],
    sections: { summary: r, identity: r, investigation: w, immigration: r },
  },
  [Purpose.Investigation]: {
    organisationTypes: [OrganisationType.Police],
    sections: { summary: r, identity: w, investigation: w, immigration: r },
  },
  [Purpose.LabourInspection]: {
    organisationTypes: [OrganisationType.LabourInspection],
    sections: { summary: r, identity: r, investigation: w },
  },
  [Purpose.Residence]: {
    organisationTypes: [OrganisationType.Migration],
    sections: { summary: r, identity: r, immigration: w },
  },
};

type ReferralPurpose = Exclude<Purpose, Purpose.Lead>;

/**
 * Which kind of organisation a referral for each purpose goes to, read off the policy table:
 * the one organisation type that may hold a participation for that purpose (a lead is never
 * referred). A purpose open to several types would make this ambiguous, so that fails at start-up.
 */
export const REFERRAL_TARGET_TYPE = Object.fromEntries(
  PURPOSES.filter((purpose): purpose is ReferralPurpose => purpose !== Purpose.Lead).map((purpose) => {
    const [type, ...others] = PURPOSE_POLICY[purpose].organisationTypes;
    if (!type || others.length > 0) throw new Error(`referral purpose ${purpose} needs exactly one organisation type in PURPOSE_POLICY`);
    return [purpose, type];
  }),
) as Record<ReferralPurpose, OrganisationType>;

/** What a break-glass grant opens, and for how long. */
export const BREAK_GLASS_SECTIONS: readonly Section[] = [Section.Summary, Section.Identity];
export const BREAK_GLASS_HOURS = 4;

export function sectionsFor(purpose: Purpose, access: SectionAccess): Section[] {
  const granted = PURPOSE_POLICY[purpose].sections;
  return SECTIONS.filter((section) => granted[section] === 'write' || (access === 'read' && granted[section] === 'read'));
}

/** The purposes an organisation of this type can hold a participation for. */
export function purposesFor(type: OrganisationType): Purpose[] {
  return PURPOSES.filter((purpose) => PURPOSE_POLICY[purpose].organisationTypes.includes(type));
}
