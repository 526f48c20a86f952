import { Alert, Anchor, Button, Group, Select, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api } from '../../api/client';
import { unwrap } from '../../api/errors';
import { useT } from '../../i18n/i18n';
import { label } from '../../i18n/labels';
import { Pending } from '../../shell/Pending';
import { usePageTitle } from '../../shell/usePageTitle';
import { downloadAuditCsv } from './download';
import { EventTable, MoreButton } from './EventTable';
import { useAuditEvents } from './hooks';
import { AUDIT_ACTIONS, AUDIT_FILTER_KEYS, type AuditFilters } from './types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const REFERENCE = /^[A-Z]{2}-\d{4}-\d{6,9}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

type FilterKey = (typeof AUDIT_FILTER_KEYS)[number];
type Draft = Record<FilterKey, string>;

/** The filters as the query string holds them: a bookmark or a shared link reopens the same search. */
function filtersFrom(params: URLSearchParams): AuditFilters {
  const filters: Record<string, string> = {};
  for (const key of AUDIT_FILTER_KEYS) {
    const value = params.get(key);
    if (value) filters[key] = value;
  }
  return filters as AuditFilters;
}

function invalid(draft: Draft): FilterKey[] {
  const wrong: FilterKey[] = [];
  for (const key of ['caseId', 'actorId', 'organisationId'] as const) if (draft[key] && !UUID.test(draft[key])) wrong.push(key);
  if (draft.caseReference && !REFERENCE.test(draft.caseReference)) wrong.push('caseReference');
  for (const key of ['from', 'to'] as const) if (draft[key] && !DATE.test(draft[key])) wrong.push(key);
  return wrong;
}

/** Names the people and organisation a search is narrowed to (GET /api/users/directory), instead of bare ids. */
function NarrowedTo({ filters }: { filters: AuditFilters }) {
  const t = useT();
  const actor = useQuery({
    queryKey: ['directory', filters.actorId],
    enabled: Boolean(filters.actorId),
    queryFn: () => unwrap(api.GET('/api/users/directory', { params: { query: { ids: [filters.actorId!] } } })),
    staleTime: 5 * 60_000,
  });
  const person = actor.data?.items[0];
  if (!filters.actorId) return null;
  return (
    <Text size="sm" data-testid="narrowed-actor">
      {person ? t('sv.audit.narrowedActor', { name: person.name, organisation: person.organisation.name }) : t('sv.audit.narrowedActorUnknown')}
    </Text>
  );
}

export default function AuditPage() {
  const t = useT();
  usePageTitle(t('sv.audit.title'));
  const [params, setParams] = useSearchParams();
  const filters = filtersFrom(params);
  const [draft, setDraft] = useState<Draft>(() => Object.fromEntries(AUDIT_FILTER_KEYS.map((key) => [key, filters[key] ?? ''])) as Draft);
  const [wrong, setWrong] = useState<FilterKey[]>([]);
  const [exporting, setExporting] = useState<'idle' | 'busy' | 'failed'>('idle');
  const events = useAuditEvents(filters);
  const items = (events.data?.pages ?? []).flatMap((page) => page.items);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const normalised = { ...draft, caseReference: draft.caseReference.trim().toUpperCase() };
    const errors = invalid(normalised);
    setWrong(errors);
    if (errors.length > 0) return;
    const next = new URLSearchParams();
    for (const key of AUDIT_FILTER_KEYS) if (normalised[key].trim()) next.set(key, normalised[key].trim());
    setParams(next);
  };

  const field = (key: FilterKey) => ({
    value: draft[key],
    onChange: (event: { currentTarget: { value: string } }) => setDraft({ ...draft, [key]: event.currentTarget.value }),
    error: wrong.includes(key) ? t(`sv.audit.invalid.${key}`) : undefined,
    autoComplete: 'off',
  });

  const exportCsv = async () => {
    setExporting('busy');
    try {
      await downloadAuditCsv(filters);
      setExporting('idle');
    } catch {
      setExporting('failed');
    }
  };

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>{t('sv.audit.title')}</Title>
        <Group>
          <Anchor component={Link} to="/audit/access-log">
            {t('sv.accessLog.find')}
          </Anchor>
          <Button variant="default" onClick={() => void exportCsv()} loading={exporting === 'busy'} data-testid="export-csv">
            {t('sv.audit.export')}
          </Button>
        </Group>
      </Group>
      {exporting === 'failed' && <Alert color="red">{t('sv.audit.exportFailed')}</Alert>}
      <form onSubmit={submit} aria-label={t('sv.audit.filters')} noValidate>
        <Stack gap="sm">
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }}>
            <TextInput label={t('sv.audit.caseReference')} placeholder="BE-2026-000042" {...field('caseReference')} />
            <TextInput label={t('sv.audit.caseId')} {...field('caseId')} />
            <TextInput label={t('sv.audit.actorId')} {...field('actorId')} />
            <TextInput label={t('sv.audit.organisationId')} {...field('organisationId')} />
            <Select
              label={t('sv.audit.action')}
              // The label in the user's language, with the action as the API and the CSV export name it.
              data={AUDIT_ACTIONS.map((action) => ({ value: action, label: `${label.auditAction(t, action)} (${action})` }))}
              value={draft.action || null}
              onChange={(value) => setDraft({ ...draft, action: value ?? '' })}
              clearable
              searchable
            />
            <Select
              label={t('sv.audit.outcome')}
              data={[
                { value: 'allowed', label: t('sv.outcome.allowed') },
                { value: 'denied', label: t('sv.outcome.denied') },
              ]}
              value={draft.outcome || null}
              onChange={(value) => setDraft({ ...draft, outcome: value ?? '' })}
              clearable
            />
            <TextInput type="date" label={t('sv.audit.from')} {...field('from')} />
            <TextInput type="date" label={t('sv.audit.to')} description={t('sv.audit.toHint')} {...field('to')} />
          </SimpleGrid>
          <Group>
            <Button type="submit">{t('sv.audit.search')}</Button>
            <Button
              variant="default"
              onClick={() => {
                setDraft(Object.fromEntries(AUDIT_FILTER_KEYS.map((key) => [key, ''])) as Draft);
                setWrong([]);
                setParams(new URLSearchParams());
              }}
            >
              {t('sv.audit.clear')}
            </Button>
          </Group>
        </Stack>
      </form>
      <NarrowedTo filters={filters} />
      {events.isPending && <Pending />}
      {events.isError && <Alert color="red">{t('sv.audit.failed')}</Alert>}
      {events.data && items.length === 0 && <Text>{t('sv.audit.none')}</Text>}
      {items.length > 0 && <EventTable events={items} caption={t('sv.audit.caption', { count: items.length })} />}
      <MoreButton hasMore={events.hasNextPage} loading={events.isFetchingNextPage} onMore={() => void events.fetchNextPage()} />
    </Stack>
  );
}
