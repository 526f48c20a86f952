import { Alert, Button, Card, Group, Select, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent, type ReactNode } from 'react';
import { useSearchParams } from 'react-router';
import { COUNTRIES, asCountry, type ExploitationType } from '../../api/types';
import { useT, type Translate } from '../../i18n/i18n';
import { label } from '../../i18n/labels';
import { Pending } from '../../shell/Pending';
import { usePageTitle } from '../../shell/usePageTitle';
import { BarFigure, type Series } from './Chart';
import { useStatistics } from './hooks';
import type { Cell, GroupBy, Statistics, StatisticsQuery } from './types';

const MONTH = /^\d{4}-\d{2}$/;
const OUTCOMES = ['pending', 'accepted', 'declined', 'withdrawn', 'expired'] as const;
const COLORS = { opened: '#1864ab', closed: '#5c940d', pending: '#868e96', accepted: '#2b8a3e', declined: '#c92a2a', withdrawn: '#e67700', expired: '#5f3dc4' };

/** A count for the chart: suppressed cells ("<5") and quantiles beyond the scale (">168") draw no bar. */
function plotted(value: Cell | number | string | null | undefined): number | null {
  return typeof value === 'number' ? value : null;
}

/** A figure for the table, exactly as the API gave it: "<5" stays "<5". */
function shown(value: Cell | number | string | null | undefined): string {
  return value === null || value === undefined ? '—' : String(value);
}

function FigureTable({
  caption,
  columns,
  rows,
}: {
  caption: string;
  columns: string[];
  rows: Array<{ key: string; cells: Array<Cell | number | string | null | undefined> }>;
}) {
  return (
    <Table striped withTableBorder data-testid="figures">
      <Table.Caption>{caption}</Table.Caption>
      <Table.Thead>
        <Table.Tr>
          {columns.map((column, index) => (
            <Table.Th key={column} scope="col" ta={index === 0 ? 'left' : 'right'}>
              {column}
            </Table.Th>
          ))}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((row) => (
          <Table.Tr key={row.key}>
            {row.cells.map((cell, index) =>
              index === 0 ? (
                <Table.Th key={index} scope="row" fw={500}>
                  {shown(cell)}
                </Table.Th>
              ) : (
                <Table.Td key={index} ta="right">
                  {shown(cell)}
                </Table.Td>
              ),
            )}
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function Section({
  id,
  title,
  children,
  state,
  stacked = false,
}: {
  id: string;
  title: string;
  children: ReactNode;
  state: { isPending: boolean; isError: boolean };
  /** Chart above table, for tables too wide to sit beside their chart. */
  stacked?: boolean;
}) {
  const t = useT();
  return (
    <Card withBorder component="section" aria-labelledby={id}>
      <Title order={2} size="h3" id={id} mb="sm">
        {title}
      </Title>
      {state.isPending && <Pending />}
      {state.isError && <Alert color="red">{t('common.unavailable')}</Alert>}
      {!state.isPending && !state.isError && (
        <SimpleGrid cols={stacked ? 1 : { base: 1, lg: 2 }} spacing="lg">
          {children}
        </SimpleGrid>
      )}
    </Card>
  );
}

function groupLabel(t: Translate, groupBy: GroupBy, group: Statistics['groups'][number]): string {
  if (groupBy === 'exploitationType') return label.exploitation(t, group.key as ExploitationType);
  if (groupBy === 'country') {
    const country = asCountry(group.key);
    return country ? t(`country.${country}`) : group.key;
  }
  return group.label;
}

function OpenedClosed({ id, title, data, groupBy }: { id: string; title: string; data: ReturnType<typeof useStatistics>; groupBy: GroupBy }) {
  const t = useT();
  const groups = data.data?.groups ?? [];
  const series: Series[] = [
    { key: 'opened', label: t('sv.stats.opened'), color: COLORS.opened },
    { key: 'closed', label: t('sv.stats.closed'), color: COLORS.closed },
  ];
  const rows = groups.map((group) => ({ key: group.key, name: groupLabel(t, groupBy, group), opened: group.casesOpened, closed: group.casesClosed }));
  return (
    <Section id={id} title={title} state={data}>
      <BarFigure
        label={t('sv.stats.chartOf', { title })}
        category="name"
        series={series}
        data={rows.map((row) => ({ name: row.name, opened: plotted(row.opened), closed: plotted(row.closed) }))}
      />
      <FigureTable
        caption={title}
        columns={[t(`sv.stats.by.${groupBy}`), t('sv.stats.opened'), t('sv.stats.closed')]}
        rows={[
          ...rows.map((row) => ({ key: row.key, cells: [row.name, row.opened, row.closed] })),
          ...(data.data ? [{ key: 'total', cells: [t('sv.stats.total'), data.data.total.casesOpened, data.data.total.casesClosed] }] : []),
        ]}
      />
    </Section>
  );
}

/** `/statistics`: the statistics API as charts, each with its figures in a table beside it; the period and country in the query string. */
export default function StatisticsPage() {
  const t = useT();
  usePageTitle(t('sv.stats.title'));
  const [params, setParams] = useSearchParams();
  const query: StatisticsQuery = {};
  const from = params.get('from');
  const to = params.get('to');
  const country = asCountry(params.get('country'));
  if (from && MONTH.test(from)) query.from = from;
  if (to && MONTH.test(to)) query.to = to;
  if (country) query.country = country;
  const [draft, setDraft] = useState({ from: query.from ?? '', to: query.to ?? '', country: query.country ?? '' });

  const byMonth = useStatistics({ ...query, groupBy: 'month' });
  const byType = useStatistics({ ...query, groupBy: 'exploitationType' });
  const byCountry = useStatistics({ ...query, groupBy: 'country' });
  const byOrganisation = useStatistics({ ...query, groupBy: 'organisation' });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const next = new URLSearchParams();
    if (MONTH.test(draft.from)) next.set('from', draft.from);
    if (MONTH.test(draft.to)) next.set('to', draft.to);
    if (draft.country) next.set('country', draft.country);
    setParams(next);
  };

  const months = byMonth.data?.groups ?? [];
  const outcomeSeries: Series[] = OUTCOMES.map((outcome) => ({
    key: outcome,
    label: label.referralStatus(t, outcome),
    color: COLORS[outcome],
    stack: 'referrals',
  }));
  const response = byMonth.data?.total.responseTime;
  const shelters = (byOrganisation.data?.groups ?? []).filter((group) => group.bedsOccupied !== null);
  const badPeriod = byMonth.isError;

  return (
    <Stack>
      <Title order={1}>{t('sv.stats.title')}</Title>
      <form onSubmit={submit} aria-label={t('sv.stats.filters')}>
        <Group align="flex-end">
          <TextInput type="month" label={t('sv.stats.from')} value={draft.from} onChange={(event) => setDraft({ ...draft, from: event.currentTarget.value })} />
          <TextInput type="month" label={t('sv.stats.to')} value={draft.to} onChange={(event) => setDraft({ ...draft, to: event.currentTarget.value })} />
          <Select
            label={t('sv.stats.country')}
            clearable
            value={draft.country || null}
            onChange={(value) => setDraft({ ...draft, country: value ?? '' })}
            data={COUNTRIES.map((value) => ({ value, label: t(`country.${value}`) }))}
          />
          <Button type="submit">{t('sv.stats.show')}</Button>
        </Group>
      </form>
      {byMonth.data && (
        <Text size="sm" data-testid="stats-note">
          {t('sv.stats.period', { from: byMonth.data.from, to: byMonth.data.to })}{' '}
          {t('sv.stats.suppressed', { threshold: byMonth.data.threshold, shown: `<${byMonth.data.threshold}` })}
        </Text>
      )}
      {badPeriod && <Alert color="red">{t('sv.stats.failed')}</Alert>}

      <OpenedClosed id="stats-month" title={t('sv.stats.perMonth')} data={byMonth} groupBy="month" />
      <OpenedClosed id="stats-type" title={t('sv.stats.perType')} data={byType} groupBy="exploitationType" />
      <OpenedClosed id="stats-country" title={t('sv.stats.perCountry')} data={byCountry} groupBy="country" />

      <Section id="stats-referrals" title={t('sv.stats.referrals')} state={byMonth} stacked>
        <BarFigure
          label={t('sv.stats.chartOf', { title: t('sv.stats.referrals') })}
          category="name"
          series={outcomeSeries}
          data={months.map((group) => ({
            name: group.label,
            ...Object.fromEntries(OUTCOMES.map((outcome) => [outcome, plotted(group.referrals?.[outcome])])),
          }))}
        />
        <FigureTable
          caption={t('sv.stats.referrals')}
          columns={[t('sv.stats.by.month'), ...OUTCOMES.map((outcome) => label.referralStatus(t, outcome))]}
          rows={[
            ...months.map((group) => ({ key: group.key, cells: [group.label, ...OUTCOMES.map((outcome) => group.referrals?.[outcome])] })),
            ...(byMonth.data?.total.referrals
              ? [{ key: 'total', cells: [t('sv.stats.total'), ...OUTCOMES.map((outcome) => byMonth.data.total.referrals?.[outcome])] }]
              : []),
          ]}
        />
      </Section>

      <Section id="stats-response" title={t('sv.stats.responseTimes')} state={byMonth}>
        <BarFigure
          label={t('sv.stats.chartOf', { title: t('sv.stats.responseTimes') })}
          category="name"
          series={[
            { key: 'median', label: t('sv.stats.median'), color: '#1864ab' },
            { key: 'p90', label: t('sv.stats.p90'), color: '#e67700' },
            { key: 'deadline', label: t('sv.stats.deadline'), color: '#495057' },
          ]}
          data={(['urgent', 'routine'] as const).map((urgency) => ({
            name: t(`sv.stats.urgency.${urgency}`),
            median: plotted(response?.[urgency].medianHours),
            p90: plotted(response?.[urgency].p90Hours),
            deadline: response?.[urgency].deadlineHours ?? null,
          }))}
        />
        <FigureTable
          caption={t('sv.stats.responseTimesCaption')}
          columns={[t('sv.stats.urgency'), t('sv.stats.answered'), t('sv.stats.median'), t('sv.stats.p90'), t('sv.stats.deadline')]}
          rows={(['urgent', 'routine'] as const).map((urgency) => ({
            key: urgency,
            cells: [
              t(`sv.stats.urgency.${urgency}`),
              response?.[urgency].answered,
              response?.[urgency].medianHours,
              response?.[urgency].p90Hours,
              response?.[urgency].deadlineHours,
            ],
          }))}
        />
      </Section>

      <Section id="stats-beds" title={t('sv.stats.beds')} state={byOrganisation}>
        {shelters.length === 0 ? (
          <Text>{t('sv.stats.noShelters')}</Text>
        ) : (
          <>
            <BarFigure
              label={t('sv.stats.chartOf', { title: t('sv.stats.beds') })}
              category="name"
              series={[{ key: 'beds', label: t('sv.stats.bedsOccupied'), color: COLORS.opened }]}
              data={shelters.map((group) => ({ name: group.label, beds: plotted(group.bedsOccupied) }))}
            />
            <FigureTable
              caption={t('sv.stats.beds')}
              columns={[t('sv.stats.by.organisation'), t('sv.stats.bedsOccupied')]}
              rows={shelters.map((group) => ({ key: group.key, cells: [group.label, group.bedsOccupied] }))}
            />
          </>
        )}
      </Section>
    </Stack>
  );
}
