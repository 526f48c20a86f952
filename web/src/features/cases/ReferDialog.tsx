import { Alert, Button, Checkbox, Group, Modal, Radio, Select, Stack, Text, Textarea } from '@mantine/core';
import { useState } from 'react';
import { asCountry, COUNTRIES, type CaseView, type Country, type Purpose } from '../../api/types';
import { statusOf } from '../../api/errors';
import { useT } from '../../i18n/i18n';
import { label } from '../../i18n/labels';
import { useCreateReferral, useOrganisations } from '../referrals/hooks';

/** The consent answer given while opening the case; who gave it follows from the minor flag. */
export interface ConsentDraft {
  given: true;
}

const PURPOSES: Purpose[] = ['shelter', 'prosecution', 'investigation', 'labour_inspection', 'residence'];
const TARGET_TYPE = {
  shelter: 'reception_centre',
  prosecution: 'prosecution',
  investigation: 'police',
  labour_inspection: 'labour_inspection',
  residence: 'migration',
} as const;

/**
 * PRODUCT.md: shelters, migration and labour inspection need the victim's consent; police and
 * prosecution rest on law enforcement at home and on the Benelux police treaty across a border.
 */
function legalBasisOf(purpose: Purpose, crossBorder: boolean): 'consent' | 'law_enforcement' | 'treaty' {
  if (purpose === 'shelter' || purpose === 'residence' || purpose === 'labour_inspection') return 'consent';
  return crossBorder ? 'treaty' : 'law_enforcement';
}

export function ReferDialog({ opened, onClose, kase, consent }: { opened: boolean; onClose: () => void; kase: CaseView; consent: ConsentDraft | null }) {
  const t = useT();
  const [purpose, setPurpose] = useState<Purpose | null>(null);
  const home = asCountry(kase.country) ?? 'BE';
  const [country, setCountry] = useState<Country>(home);
  const [target, setTarget] = useState<string | null>(null);
  const [urgency, setUrgency] = useState<'urgent' | 'routine'>('routine');
  const [message, setMessage] = useState('');
  const [consentGiven, setConsentGiven] = useState(consent !== null);
  const [tried, setTried] = useState(false);
  const organisations = useOrganisations(purpose ? TARGET_TYPE[purpose] : undefined, country);
  const refer = useCreateReferral(kase.id);

  const minor = kase.summary?.minor ?? false;
  const basis = purpose ? legalBasisOf(purpose, country !== home) : undefined;
  const options = (organisations.data?.items ?? [])
    .filter((organisation) => organisation.id !== kase.leadOrganisationId)
    .map((organisation) => {
      const shelter = organisation.type === 'reception_centre';
      const full = shelter && (organisation.bedsAvailable ?? 0) <= 0;
      const noMinors = shelter && minor && organisation.acceptsMinors === false;
      const beds = shelter ? ` — ${t('refer.beds', { free: organisation.bedsAvailable ?? 0, total: organisation.bedsTotal ?? 0 })}` : '';
      const reason = noMinors ? ` — ${t('refer.noMinors')}` : '';
      return { value: organisation.id, label: `${organisation.name}${beds}${reason}`, disabled: full || noMinors };
    });

  const missing = !purpose ? 'purpose' : !target ? 'target' : basis === 'consent' && !consentGiven ? 'consent' : null;

  const submit = () => {
    setTried(true);
    if (missing || !purpose || !target) return;
    refer.mutate(
      {
        toOrganisationId: target,
        purpose,
        urgency,
        ...(message.trim() ? { message: message.trim() } : {}),
        ...(basis === 'consent' ? { consent: { given: true, by: minor ? 'guardian' : 'victim', recordedAt: new Date().toISOString() } } : {}),
      },
      { onSuccess: onClose },
    );
  };

  const failure = refer.error
    ? statusOf(refer.error) === 409
      ? t('refer.duplicate')
      : statusOf(refer.error) === 422
        ? t('refer.refused')
        : t('common.unavailable')
    : null;

  return (
    <Modal
      opened={opened}
      onClose={onClose}
      closeButtonProps={{ 'aria-label': t('common.close') }}
      title={t('refer.title', { reference: kase.reference })}
      size="lg"
    >
      <Stack>
        <Select
          label={t('refer.purpose')}
          required
          value={purpose}
          onChange={(value) => {
            setPurpose(PURPOSES.find((candidate) => candidate === value) ?? null);
            setTarget(null);
          }}
          data={PURPOSES.map((value) => ({ value, label: label.purpose(t, value) }))}
          error={tried && missing === 'purpose' ? t('refer.needPurpose') : undefined}
        />
        <Select
          label={t('refer.country')}
          allowDeselect={false}
          value={country}
          onChange={(value) => {
            setCountry(asCountry(value) ?? home);
            setTarget(null);
          }}
          data={COUNTRIES.map((value) => ({ value, label: t(`country.${value}`) }))}
        />
        <Select
          label={t('refer.target')}
          required
          disabled={!purpose}
          value={target}
          onChange={setTarget}
          data={options}
          nothingFoundMessage={t('refer.noTargets')}
          error={tried && missing === 'target' ? t('refer.needTarget') : undefined}
        />
        {basis && (
          <Alert color="blue" title={t('refer.legalBasis')}>
            {t(`refer.basis.${basis}`)}
          </Alert>
        )}
        <Radio.Group label={t('refer.urgency')} value={urgency} onChange={(value) => setUrgency(value === 'urgent' ? 'urgent' : 'routine')}>
          <Group mt="xs">
            <Radio value="routine" label={`${label.urgency(t, 'routine')} (72 h)`} />
            <Radio value="urgent" label={`${label.urgency(t, 'urgent')} (4 h)`} />
          </Group>
        </Radio.Group>
        <Textarea
          label={t('refer.message')}
          description={t('refer.messageHint')}
          value={message}
          onChange={(e) => setMessage(e.currentTarget.value)}
          autosize
          minRows={2}
        />
        {basis === 'consent' && (
          <Checkbox
            label={minor ? t('refer.consentGivenGuardian') : t('refer.consentGiven')}
            checked={consentGiven}
            onChange={(e) => setConsentGiven(e.currentTarget.checked)}
            error={tried && missing === 'consent' ? t('refer.needConsent') : undefined}
          />
        )}
        {failure && (
          <Alert color="red" role="alert">
            {failure}
          </Alert>
        )}
        <Text size="sm" c="dimmed">
          {t('refer.deadlineHint')}
        </Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button onClick={submit} loading={refer.isPending}>
            {t('refer.submit')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
