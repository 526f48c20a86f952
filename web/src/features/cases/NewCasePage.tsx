import { Alert, Button, Checkbox, Group, Radio, Select, SimpleGrid, Stack, Stepper, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import type { ExploitationType, Indicator, NewCase } from '../../api/types';
import { useT } from '../../i18n/i18n';
import { AGE_GROUPS, EXPLOITATION_TYPES, GENDERS, INDICATORS, label, RISK_LEVELS } from '../../i18n/labels';
import { usePageTitle } from '../../shell/usePageTitle';
import { useCreateCase } from './hooks';
import type { ConsentDraft } from './ReferDialog';

type AgeGroup = (typeof AGE_GROUPS)[number];
type Gender = (typeof GENDERS)[number];
type Risk = (typeof RISK_LEVELS)[number];

/** The whole draft lives in this component's state: in memory only, gone with the page. */
interface Draft {
  exploitationTypes: ExploitationType[];
  indicators: Indicator[];
  minor: '' | 'yes' | 'no';
  ageGroup: AgeGroup | null;
  gender: Gender | null;
  riskLevel: Risk | null;
  fullName: string;
  dateOfBirth: string;
  nationality: string;
  consent: '' | 'yes' | 'no';
}

const EMPTY: Draft = {
  exploitationTypes: [],
  indicators: [],
  minor: '',
  ageGroup: null,
  gender: null,
  riskLevel: null,
  fullName: '',
  dateOfBirth: '',
  nationality: '',
  consent: '',
};

function toNewCase(draft: Draft): NewCase {
  const identity = {
    ...(draft.fullName.trim() ? { fullName: draft.fullName.trim() } : {}),
    ...(draft.dateOfBirth ? { dateOfBirth: draft.dateOfBirth } : {}),
    ...(draft.nationality.trim() ? { nationality: draft.nationality.trim().toUpperCase() } : {}),
  };
  return {
    summary: {
      exploitationTypes: draft.exploitationTypes,
      indicators: draft.indicators,
      minor: draft.minor === 'yes',
      ...(draft.ageGroup ? { ageGroup: draft.ageGroup } : {}),
      ...(draft.gender ? { gender: draft.gender } : {}),
      ...(draft.riskLevel ? { riskLevel: draft.riskLevel } : {}),
    },
    ...(Object.keys(identity).length > 0 ? { identity } : {}),
  };
}

export default function NewCasePage() {
  const t = useT();
  usePageTitle(t('newCase.title'));
  const navigate = useNavigate();
  const create = useCreateCase();
  const [step, setStep] = useState(0);
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [errors, setErrors] = useState<Partial<Record<'exploitationTypes' | 'minor' | 'consent' | 'nationality', string>>>({});
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((current) => ({ ...current, [key]: value }));

  const validate = (at: number): boolean => {
    const found: typeof errors = {};
    if (at === 0) {
      if (draft.exploitationTypes.length === 0) found.exploitationTypes = t('newCase.needExploitation');
      if (draft.minor === '') found.minor = t('newCase.needMinor');
    }
    if (at === 1 && draft.nationality.trim() && !/^[A-Za-z]{2}$/.test(draft.nationality.trim())) found.nationality = t('newCase.nationalityFormat');
    if (at === 2 && draft.consent === '') found.consent = t('newCase.needConsentAnswer');
    setErrors(found);
    return Object.keys(found).length === 0;
  };

  const next = (event: FormEvent) => {
    event.preventDefault();
    if (!validate(step)) return;
    if (step < 2) {
      setStep(step + 1);
      return;
    }
    create.mutate(toNewCase(draft), {
      onSuccess: (created) => {
        const consent: ConsentDraft | null = draft.consent === 'yes' ? { given: true } : null;
        // Only the answer travels to the case page (no identity): it pre-fills the referral's consent.
        // So do the other agencies holding a case for the same person: organisations and references only.
        void navigate(`/cases/${created.id}`, { state: { refer: true, consent, duplicates: created.possibleDuplicates ?? [] } });
      },
    });
  };

  return (
    <Stack maw={880}>
      <Title order={1}>{t('newCase.title')}</Title>
      <Text c="dimmed">{t('newCase.intro')}</Text>
      <form onSubmit={next} noValidate aria-label={t('newCase.title')}>
        <Stepper active={step} onStepClick={(target) => target < step && setStep(target)} allowNextStepsSelect={false} mb="lg">
          <Stepper.Step label={t('newCase.stepSummary')}>
            <Stack>
              <Checkbox.Group
                label={t('field.exploitationTypes')}
                required
                value={draft.exploitationTypes}
                onChange={(value) => set('exploitationTypes', value as ExploitationType[])}
                error={errors.exploitationTypes}
              >
                <SimpleGrid cols={{ base: 1, sm: 2 }} mt="xs">
                  {EXPLOITATION_TYPES.map((type) => (
                    <Checkbox key={type} value={type} label={label.exploitation(t, type)} />
                  ))}
                </SimpleGrid>
              </Checkbox.Group>
              <Checkbox.Group
                label={t('field.indicators')}
                description={t('newCase.indicatorsHint')}
                value={draft.indicators}
                onChange={(value) => set('indicators', value as Indicator[])}
              >
                <SimpleGrid cols={{ base: 1, sm: 2 }} mt="xs">
                  {INDICATORS.map((indicator) => (
                    <Checkbox key={indicator} value={indicator} label={label.indicator(t, indicator)} />
                  ))}
                </SimpleGrid>
              </Checkbox.Group>
              <Radio.Group
                label={t('field.minor')}
                required
                value={draft.minor}
                onChange={(value) => set('minor', value === 'yes' ? 'yes' : 'no')}
                error={errors.minor}
              >
                <Group mt="xs">
                  <Radio value="no" label={t('common.no')} />
                  <Radio value="yes" label={t('common.yes')} />
                </Group>
              </Radio.Group>
              <SimpleGrid cols={{ base: 1, sm: 3 }}>
                <Select
                  label={t('field.ageGroup')}
                  clearable
                  value={draft.ageGroup}
                  onChange={(value) => set('ageGroup', AGE_GROUPS.find((group) => group === value) ?? null)}
                  data={AGE_GROUPS.map((value) => ({ value, label: label.ageGroup(t, value) }))}
                />
                <Select
                  label={t('field.gender')}
                  clearable
                  value={draft.gender}
                  onChange={(value) => set('gender', GENDERS.find((gender) => gender === value) ?? null)}
                  data={GENDERS.map((value) => ({ value, label: label.gender(t, value) }))}
                />
                <Select
                  label={t('field.riskLevel')}
                  clearable
                  value={draft.riskLevel}
                  onChange={(value) => set('riskLevel', RISK_LEVELS.find((risk) => risk === value) ?? null)}
                  data={RISK_LEVELS.map((value) => ({ value, label: label.risk(t, value) }))}
                />
              </SimpleGrid>
            </Stack>
          </Stepper.Step>
          <Stepper.Step label={t('newCase.stepIdentity')}>
            <Stack>
              <Text size="sm">{t('newCase.identityHint')}</Text>
              <TextInput label={t('field.fullName')} autoComplete="off" value={draft.fullName} onChange={(e) => set('fullName', e.currentTarget.value)} />
              <SimpleGrid cols={{ base: 1, sm: 2 }}>
                <TextInput label={t('field.dateOfBirth')} type="date" value={draft.dateOfBirth} onChange={(e) => set('dateOfBirth', e.currentTarget.value)} />
                <TextInput
                  label={t('field.nationality')}
                  description={t('newCase.nationalityHint')}
                  maxLength={2}
                  autoComplete="off"
                  value={draft.nationality}
                  onChange={(e) => set('nationality', e.currentTarget.value)}
                  error={errors.nationality}
                />
              </SimpleGrid>
            </Stack>
          </Stepper.Step>
          <Stepper.Step label={t('newCase.stepConsent')}>
            <Stack>
              <Radio.Group
                label={t('newCase.consentQuestion')}
                description={t('newCase.consentHint')}
                required
                value={draft.consent}
                onChange={(value) => set('consent', value === 'yes' ? 'yes' : 'no')}
                error={errors.consent}
              >
                <Group mt="xs">
                  <Radio value="yes" label={t('common.yes')} />
                  <Radio value="no" label={t('newCase.consentNotYet')} />
                </Group>
              </Radio.Group>
            </Stack>
          </Stepper.Step>
        </Stepper>
        {create.isError && (
          <Alert color="red" role="alert" mb="md">
            {t('newCase.failed')}
          </Alert>
        )}
        <Group>
          {step > 0 && (
            <Button variant="default" onClick={() => setStep(step - 1)}>
              {t('common.back')}
            </Button>
          )}
          <Button type="submit" loading={create.isPending}>
            {step < 2 ? t('common.next') : t('newCase.submit')}
          </Button>
        </Group>
      </form>
    </Stack>
  );
}
