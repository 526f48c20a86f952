import { Alert, Anchor, Button, Group, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { statusOf } from '../../api/errors';
import { useT } from '../../i18n/i18n';
import { Pending } from '../../shell/Pending';
import { usePageTitle } from '../../shell/usePageTitle';
import { EventTable, MoreButton } from './EventTable';
import { findCaseByReference, useAccessLog } from './hooks';

/** Finds a case of the supervisor's scope by its reference and opens its access log. */
export function AccessLogFinder() {
  const t = useT();
  const navigate = useNavigate();
  const [reference, setReference] = useState('');
  const [state, setState] = useState<'idle' | 'busy' | 'notFound' | 'failed'>('idle');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setState('busy');
    try {
      const found = await findCaseByReference(reference.trim().toUpperCase());
      if (!found) return setState('notFound');
      setState('idle');
      void navigate(`/cases/${found.id}/access-log`);
    } catch {
      setState('failed');
    }
  };
  return (
    <form onSubmit={(event) => void submit(event)} aria-label={t('sv.accessLog.find')}>
      <Group align="flex-end">
        <TextInput
          label={t('sv.accessLog.reference')}
          placeholder="BE-2026-000042"
          value={reference}
          onChange={(event) => setReference(event.currentTarget.value)}
          error={state === 'notFound' ? t('sv.accessLog.notFound') : undefined}
          required
          autoComplete="off"
        />
        <Button type="submit" loading={state === 'busy'}>
          {t('sv.accessLog.open')}
        </Button>
      </Group>
      {state === 'failed' && (
        <Alert color="red" mt="sm">
          {t('common.unavailable')}
        </Alert>
      )}
    </form>
  );
}

export function AccessLogFinderPage() {
  const t = useT();
  usePageTitle(t('sv.accessLog.findTitle'));
  return (
    <Stack>
      <Title order={1}>{t('sv.accessLog.findTitle')}</Title>
      <Text>{t('sv.accessLog.findHint')}</Text>
      <AccessLogFinder />
    </Stack>
  );
}

/** `/cases/:id/access-log`: every audit event of one case, for the supervisor of its lead organisation or its country's oversight. */
export default function AccessLogPage() {
  const t = useT();
  const { id = '' } = useParams();
  const log = useAccessLog(id);
  const items = (log.data?.pages ?? []).flatMap((page) => page.items);
  const reference = items.find((event) => event.caseReference)?.caseReference;
  // The reference is not identity (PRODUCT.md allows it in titles); the id stays out of the title.
  usePageTitle(reference ? t('sv.accessLog.titleOf', { reference }) : t('sv.accessLog.title'));
  return (
    <Stack>
      <Title order={1}>{reference ? t('sv.accessLog.titleOf', { reference }) : t('sv.accessLog.title')}</Title>
      <Group>
        <Anchor component={Link} to={`/audit?caseId=${id}`}>
          {t('sv.accessLog.inSearch')}
        </Anchor>
      </Group>
      {log.isPending && <Pending />}
      {log.isError && (
        <Alert color={statusOf(log.error) === 404 ? 'yellow' : 'red'}>
          {statusOf(log.error) === 404 ? t('sv.accessLog.notFound') : t('common.unavailable')}
        </Alert>
      )}
      {log.data && items.length === 0 && <Text>{t('sv.audit.none')}</Text>}
      {items.length > 0 && <EventTable events={items} caption={t('sv.accessLog.caption', { count: items.length })} showCase={false} />}
      <MoreButton hasMore={log.hasNextPage} loading={log.isFetchingNextPage} onMore={() => void log.fetchNextPage()} />
    </Stack>
  );
}
