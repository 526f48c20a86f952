import { Alert, Badge, Button, Group, Modal, Select, Stack, Table, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { FormattedDate } from 'react-intl';
import { Link } from 'react-router';
import { statusOf } from '../../api/errors';
import { asCountry, type CaseView } from '../../api/types';
import { useT } from '../../i18n/i18n';
import { CLOSE_REASONS, label } from '../../i18n/labels';
import { useReferrals } from '../referrals/hooks';
import { Deadline } from '../referrals/Deadline';
import { useBreakGlass, useCaseAccess, useCloseCase, useEndPlacement, useStartReflectionPeriod } from './hooks';
import { SECTION_ORDER } from './sections';

export function AccessDialog({ opened, onClose, kase }: { opened: boolean; onClose: () => void; kase: CaseView }) {
  const t = useT();
  const access = useCaseAccess(kase.id, opened);
  return (
    <Modal opened={opened} onClose={onClose} closeButtonProps={{ 'aria-label': t('common.close') }} title={t('access.title')} size="lg">
      <Stack>
        <Text size="sm">{t('access.intro')}</Text>
        {access.isError && <Alert color="red">{t('common.unavailable')}</Alert>}
        {access.data?.grants.map((grant, index) => (
          <Stack key={index} gap={4} p="sm" style={{ border: '1px solid var(--mantine-color-gray-4)', borderRadius: 4 }}>
            <Text fw={600}>{grant.organisation.name}</Text>
            <Text size="sm">
              {grant.source === 'break_glass'
                ? `${t('access.breakGlass')}${grant.user ? ` · ${grant.user.name}` : ''}`
                : t('access.participation', { purpose: label.purpose(t, grantPurpose(grant.purpose)) })}
            </Text>
            <Text size="sm">{t('access.legalBasis', { basis: t(`basis.${legalBasis(grant.legalBasis)}`) })}</Text>
            <Text size="sm">
              {SECTION_ORDER.filter((section) => grant.sections[section])
                .map((section) => `${label.section(t, section)} (${label.access(t, grant.sections[section] ?? 'read')})`)
                .join(', ')}
            </Text>
            {grant.expiresAt && (
              <Text size="sm">
                {t('access.expires')} <FormattedDate value={grant.expiresAt} dateStyle="medium" timeStyle="short" />
              </Text>
            )}
          </Stack>
        ))}
      </Stack>
    </Modal>
  );
}

const PURPOSES = ['shelter', 'prosecution', 'investigation', 'labour_inspection', 'residence', 'lead'] as const;
function grantPurpose(value: string | null): (typeof PURPOSES)[number] {
  return PURPOSES.find((purpose) => purpose === value) ?? 'lead';
}
const BASES = ['lead', 'law_enforcement', 'treaty', 'consent', 'break_glass'] as const;
function legalBasis(value: string): (typeof BASES)[number] {
  return BASES.find((basis) => basis === value) ?? 'lead';
}

export function CloseDialog({ opened, onClose, kase }: { opened: boolean; onClose: () => void; kase: CaseView }) {
  const t = useT();
  const close = useCloseCase(kase.id);
  const [reason, setReason] = useState<(typeof CLOSE_REASONS)[number] | null>(null);
  return (
    <Modal opened={opened} onClose={onClose} closeButtonProps={{ 'aria-label': t('common.close') }} title={t('close.title', { reference: kase.reference })}>
      <Stack>
        <Text size="sm">{t('close.intro')}</Text>
        <Select
          label={t('close.reason')}
          required
          value={reason}
          onChange={(value) => setReason(CLOSE_REASONS.find((candidate) => candidate === value) ?? null)}
          data={CLOSE_REASONS.map((value) => ({ value, label: label.closeReason(t, value) }))}
        />
        {close.isError && (
          <Alert color="red" role="alert">
            {t('common.unavailable')}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button color="red.8" disabled={!reason} loading={close.isPending} onClick={() => reason && close.mutate(reason, { onSuccess: onClose })}>
            {t('close.submit')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** The case's outgoing referrals with their state and answer deadline. */
export function CaseReferrals({ caseId }: { caseId: string }) {
  const t = useT();
  const outgoing = useReferrals('outgoing');
  const items = (outgoing.data?.items ?? []).filter((referral) => referral.caseId === caseId);
  if (items.length === 0) return null;
  return (
    <Stack gap="xs">
      <Title order={2} size="h3">
        {t('case.referrals')}
      </Title>
      <Table>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">{t('referral.to')}</Table.Th>
            <Table.Th scope="col">{t('refer.purpose')}</Table.Th>
            <Table.Th scope="col">{t('referral.status')}</Table.Th>
            <Table.Th scope="col">{t('referral.deadline')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((referral) => (
            <Table.Tr key={referral.id}>
              <Table.Td>
                <Link to={`/referrals/${referral.id}`}>{referral.to.name}</Link>
              </Table.Td>
              <Table.Td>{label.purpose(t, referral.purpose)}</Table.Td>
              <Table.Td>
                <Badge variant="filled" color={referral.status === 'accepted' ? 'teal.9' : referral.status === 'pending' ? 'blue.9' : 'gray.7'}>
                  {label.referralStatus(t, referral.status)}
                </Badge>
              </Table.Td>
              <Table.Td>{referral.status === 'pending' ? <Deadline at={referral.respondBy} /> : '—'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

/** Not visible is not found (404); an operational user of the case's country may still open it in an emergency. */
export function BreakGlassForm({ caseId }: { caseId: string }) {
  const t = useT();
  const breakGlass = useBreakGlass(caseId);
  const [justification, setJustification] = useState('');
  const [tried, setTried] = useState(false);
  const tooShort = justification.trim().length < 20;
  const failure = breakGlass.error
    ? statusOf(breakGlass.error) === 404 || statusOf(breakGlass.error) === 403
      ? t('breakGlass.refused')
      : t('common.unavailable')
    : null;
  return (
    <Stack maw={640}>
      <Title order={1}>{t('breakGlass.title')}</Title>
      <Text>{t('breakGlass.notVisible')}</Text>
      <Alert color="orange" title={t('breakGlass.warningTitle')}>
        {t('breakGlass.warning')}
      </Alert>
      <Textarea
        label={t('breakGlass.justification')}
        description={t('breakGlass.justificationHint')}
        required
        autosize
        minRows={3}
        value={justification}
        onChange={(e) => setJustification(e.currentTarget.value)}
        error={tried && tooShort ? t('breakGlass.tooShort') : undefined}
      />
      {failure && (
        <Alert color="red" role="alert">
          {failure}
        </Alert>
      )}
      <Button
        color="red.8"
        w="fit-content"
        loading={breakGlass.isPending}
        onClick={() => {
          setTried(true);
          if (!tooShort) breakGlass.mutate(justification.trim());
        }}
      >
        {t('breakGlass.submit')}
      </Button>
    </Stack>
  );
}

const REFLECTION_RULE = { BE: 'reflection.ruleBE', NL: 'reflection.ruleNL', LU: 'reflection.ruleLU' } as const;

/** Migration officers start the reflection period; the end date follows the case's country (computed by the API). */
export function ReflectionPeriod({ kase, canStart }: { kase: CaseView; canStart: boolean }) {
  const t = useT();
  const start = useStartReflectionPeriod(kase.id);
  const [date, setDate] = useState(() => new Date().toISOString().slice(0, 10));
  const period = kase.immigration?.reflectionPeriod;
  return (
    <Stack gap="xs" maw={640}>
      <Title order={3} size="h4">
        {t('reflection.title')}
      </Title>
      <Text size="sm">{t(REFLECTION_RULE[asCountry(kase.country) ?? 'BE'])}</Text>
      {period ? (
        <Text data-testid="reflection-end">
          {t('reflection.period')} <FormattedDate value={`${period.start}T00:00:00Z`} dateStyle="long" timeZone="UTC" /> –{' '}
          <FormattedDate value={`${period.end}T00:00:00Z`} dateStyle="long" timeZone="UTC" />
        </Text>
      ) : (
        <Text c="dimmed">{t('reflection.none')}</Text>
      )}
      {canStart && !period && (
        <Group align="flex-end">
          <TextInput label={t('reflection.start')} type="date" value={date} onChange={(e) => setDate(e.currentTarget.value)} />
          <Button loading={start.isPending} onClick={() => start.mutate(date)}>
            {t('reflection.submit')}
          </Button>
        </Group>
      )}
      {start.isError && (
        <Alert color="red" role="alert">
          {t('common.unavailable')}
        </Alert>
      )}
    </Stack>
  );
}

export function EndPlacement({ caseId }: { caseId: string }) {
  const t = useT();
  const end = useEndPlacement(caseId);
  const [confirming, setConfirming] = useState(false);
  if (end.isSuccess)
    return (
      <Alert color="green" role="status">
        {t('placement.ended')}
      </Alert>
    );
  return (
    <Stack gap="xs" maw={640}>
      <Title order={3} size="h4">
        {t('placement.title')}
      </Title>
      <Text size="sm">{t('placement.hint')}</Text>
      {confirming ? (
        <Group>
          <Button color="red.8" loading={end.isPending} onClick={() => end.mutate()}>
            {t('placement.confirm')}
          </Button>
          <Button variant="default" onClick={() => setConfirming(false)}>
            {t('common.cancel')}
          </Button>
        </Group>
      ) : (
        <Button variant="light" w="fit-content" onClick={() => setConfirming(true)}>
          {t('placement.end')}
        </Button>
      )}
      {end.isError && (
        <Alert color="red" role="alert">
          {statusOf(end.error) === 409 ? t('placement.none') : t('common.unavailable')}
        </Alert>
      )}
    </Stack>
  );
}
