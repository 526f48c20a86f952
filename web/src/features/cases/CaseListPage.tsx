import { Alert, Anchor, Badge, Button, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { FormattedDate } from 'react-intl';
import { Link } from 'react-router';
import { statusOf } from '../../api/errors';
import { useT } from '../../i18n/i18n';
import { label } from '../../i18n/labels';
import { Pending } from '../../shell/Pending';
import { canOpenCases, useMe } from '../../shell/useMe';
import { usePageTitle } from '../../shell/usePageTitle';
import { useCaseList } from './hooks';

export default function CaseListPage() {
  const t = useT();
  const me = useMe();
  const title = me.data?.role === 'prosecutor' ? t('nav.casesToReview') : t('cases.title');
  usePageTitle(title);
  const [search, setSearch] = useState('');
  // One request per pause in typing, not per key.
  const [query] = useDebouncedValue(search.trim().toUpperCase(), 250);
  const cases = useCaseList(query);
  const items = (cases.data?.pages ?? []).flatMap((page) => page.items);

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>{title}</Title>
        {me.data && canOpenCases(me.data.role) && (
          <Button component={Link} to="/cases/new">
            {t('nav.newCase')}
          </Button>
        )}
      </Group>
      <TextInput
        label={t('cases.search')}
        description={t('cases.searchHint')}
        value={search}
        onChange={(event) => setSearch(event.currentTarget.value)}
        maw={360}
        type="search"
        autoComplete="off"
      />
      {cases.isPending && <Pending />}
      {/* A search the API refuses (400: not the start of any reference) simply matches nothing. */}
      {cases.isError && (statusOf(cases.error) === 400 && query ? <Text>{t('cases.noMatch')}</Text> : <Alert color="red">{t('common.unavailable')}</Alert>)}
      {cases.data && items.length === 0 && <Text>{query ? t('cases.noMatch') : t('cases.none')}</Text>}
      {items.length > 0 && (
        <Table striped highlightOnHover>
          <Table.Caption>{t('cases.caption', { count: items.length })}</Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{t('case.reference')}</Table.Th>
              <Table.Th scope="col">{t('case.status')}</Table.Th>
              <Table.Th scope="col">{t('field.exploitationTypes')}</Table.Th>
              <Table.Th scope="col">{t('field.riskLevel')}</Table.Th>
              <Table.Th scope="col">{t('case.updated')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((item) => (
              <Table.Tr key={item.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/cases/${item.id}`} ff="monospace">
                    {item.reference}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <Badge color={item.closing ? 'red.9' : item.status === 'open' ? 'teal.9' : 'gray.7'} variant="filled">
                    {item.closing ? t('closure.closing') : label.caseStatus(t, item.status)}
                  </Badge>
                </Table.Td>
                <Table.Td>{(item.summary?.exploitationTypes ?? []).map((type) => label.exploitation(t, type)).join(', ')}</Table.Td>
                <Table.Td>{item.summary?.riskLevel ? label.risk(t, item.summary.riskLevel) : '—'}</Table.Td>
                <Table.Td>
                  <FormattedDate value={item.updatedAt} dateStyle="medium" timeStyle="short" />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {cases.hasNextPage && (
        <Button variant="default" onClick={() => void cases.fetchNextPage()} loading={cases.isFetchingNextPage} w="fit-content">
          {t('common.more')}
        </Button>
      )}
    </Stack>
  );
}
