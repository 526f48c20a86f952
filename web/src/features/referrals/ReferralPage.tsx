import { Alert, Anchor, Badge, Button, Group, Stack, Table, Text, Textarea, Title } from '@mantine/core';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { statusOf } from '../../api/errors';
import type { Referral } from '../../api/types';
import { useT } from '../../i18n/i18n';
import { label } from '../../i18n/labels';
import { Pending } from '../../shell/Pending';
import { useMe } from '../../shell/useMe';
import { usePageTitle } from '../../shell/usePageTitle';
import { SECTION_FIELDS } from '../cases/sections';
import { Deadline } from './Deadline';
import { useAnswerReferral, useOrganisations, useReferral } from './hooks';
import { statusColor } from './ReferralListPage';

/** The free beds of the caseworker's own centre, which an accept takes one of. */
function FreeBeds() {
  const t = useT();
  const me = useMe();
  const organisation = me.data?.organisation;
  const country = organisation?.country === 'BE' || organisation?.country === 'NL' || organisation?.country === 'LU' ? organisation.country : undefined;
  const centres = useOrganisations(organisation?.type === 'reception_centre' ? 'reception_centre' : undefined, country);
  const own = centres.data?.items.find((item) => item.id === organisation?.id);
  if (!own) return null;
  return (
    <Text data-testid="free-beds" fw={600}>
      {t('refer.beds', { free: own.bedsAvailable ?? 0, total: own.bedsTotal ?? 0 })}
    </Text>
  );
}

/** What a target sees before it accepts: the summary section and the message, never identity. */
function Brief({ referral }: { referral: Referral }) {
  const t = useT();
  const brief = referral.brief;
  if (!brief) return null;
  const summary: Record<string, unknown> = brief.summary;
  return (
    <Stack gap="xs">
      <Title order={2} size="h3">
        {t('referral.brief')}
      </Title>
      <Text size="sm" c="dimmed">
        {t('referral.briefHint')}
      </Text>
      <Table variant="vertical" layout="fixed" maw={760} withTableBorder>
        <Table.Tbody>
          {SECTION_FIELDS.summary.map((field) => {
            const value = summary[field.name];
            const options = field.options?.(t);
            const named = (item: unknown) => options?.find((option) => option.value === item)?.label ?? String(item);
            const shown =
              value === undefined || value === null || (Array.isArray(value) && value.length === 0)
                ? '—'
                : typeof value === 'boolean'
                  ? value
                    ? t('common.yes')
                    : t('common.no')
                  : Array.isArray(value)
                    ? value.map(named).join(', ')
                    : named(value);
            return (
              <Table.Tr key={field.name}>
                <Table.Th w={240} scope="row">
                  {t(field.label)}
                </Table.Th>
                <Table.Td>{shown}</Table.Td>
              </Table.Tr>
            );
          })}
          <Table.Tr>
            <Table.Th scope="row">{t('refer.message')}</Table.Th>
            <Table.Td style={{ whiteSpace: 'pre-wrap' }}>{brief.message ?? '—'}</Table.Td>
          </Table.Tr>
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

export default function ReferralPage() {
  const { id = '' } = useParams();
  const t = useT();
  const { referral, direction, isPending, isError } = useReferral(id);
  const answer = useAnswerReferral(id);
  const [declining, setDeclining] = useState(false);
  const [reason, setReason] = useState('');
  usePageTitle(referral ? t('referral.pageTitle', { reference: referral.caseReference }) : t('referral.title'));

  if (isPending) return <Pending />;
  if (isError) return <Alert color="red">{t('common.unavailable')}</Alert>;
  if (!referral) return <Alert color="gray.7">{t('referral.notFound')}</Alert>;

  const pending = referral.status === 'pending';
  const acceptError = answer.accept.error
    ? statusOf(answer.accept.error) === 409
      ? t('referral.noBed')
      : statusOf(answer.accept.error) === 422
        ? t('referral.refused')
        : t('common.unavailable')
    : null;

  return (
    <Stack maw={880}>
      <Title order={1}>
        {t('referral.title')} <span style={{ fontFamily: 'monospace' }}>{referral.caseReference}</span>
      </Title>
      <Group gap="lg">
        <Badge variant="filled" color={statusColor(referral.status)} size="lg" data-testid="referral-status">
          {label.referralStatus(t, referral.status)}
        </Badge>
        <Text>
          {label.purpose(t, referral.purpose)} · {label.urgency(t, referral.urgency)}
        </Text>
      </Group>
      <Text>{direction === 'incoming' ? t('referral.fromOrg', { name: referral.from.name }) : t('referral.toOrg', { name: referral.to.name })}</Text>
      {pending && (
        <Text>
          {t('referral.answerBy')} <Deadline at={referral.respondBy} />
        </Text>
      )}
      {direction === 'incoming' && pending && <Brief referral={referral} />}
      {direction === 'incoming' && referral.purpose === 'shelter' && <FreeBeds />}
      {direction === 'incoming' && pending && (
        <Stack gap="sm">
          {acceptError && (
            <Alert color="red" role="alert">
              {acceptError}
            </Alert>
          )}
          {declining ? (
            <Stack maw={640}>
              <Textarea label={t('referral.declineReason')} required autosize minRows={2} value={reason} onChange={(e) => setReason(e.currentTarget.value)} />
              <Group>
                <Button color="red.8" disabled={reason.trim() === ''} loading={answer.decline.isPending} onClick={() => answer.decline.mutate(reason.trim())}>
                  {t('referral.decline')}
                </Button>
                <Button variant="default" onClick={() => setDeclining(false)}>
                  {t('common.cancel')}
                </Button>
              </Group>
            </Stack>
          ) : (
            <Group>
              <Button loading={answer.accept.isPending} onClick={() => answer.accept.mutate()}>
                {t('referral.accept')}
              </Button>
              <Button variant="default" onClick={() => setDeclining(true)}>
                {t('referral.decline')}
              </Button>
            </Group>
          )}
        </Stack>
      )}
      {direction === 'outgoing' && pending && (
        <Button variant="default" w="fit-content" loading={answer.withdraw.isPending} onClick={() => answer.withdraw.mutate()}>
          {t('referral.withdraw')}
        </Button>
      )}
      {(direction === 'outgoing' || referral.status === 'accepted') && (
        <Anchor component={Link} to={`/cases/${referral.caseId}`}>
          {t('referral.openCase')}
        </Anchor>
      )}
    </Stack>
  );
}
