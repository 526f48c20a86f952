export enum OrganisationType {
  Police = 'police',
  Prosecution = 'prosecution',
  LabourInspection = 'labour_inspection',
  ReceptionCentre = 'reception_centre',
  Migration = 'migration',
  Oversight = 'oversight',
  Platform = 'platform',
}

export enum Country {
  BE = 'BE',
  NL = 'NL',
  LU = 'LU',
}

export const ORGANISATION_TYPES = Object.values(OrganisationType);
export const COUNTRIES = Object.values(Country);
