import { Alert, Anchor, Badge, Stack, Table, Tabs, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router';
import type { Referral } from '../../api/types';
import { useT } from '../../i18n/i18n';
import { label } from '../../i18n/labels';
import { Pending } from '../../shell/Pending';
import { usePageTitle } from '../../shell/usePageTitle';
import { Deadline } from './Deadline';
import { useReferrals } from './hooks';

export function statusColor(status: Referral['status']): string {
  return status === 'accepted' ? 'teal.9' : status === 'pending' ? 'blue.9' : 'gray.7';
}

function ReferralTable({ direction }: { direction: 'incoming' | 'outgoing' }) {
  const t = useT();
  const referrals = useReferrals(direction);
  if (referrals.isPending) return <Pending />;
  if (referrals.isError) return <Alert color="red">{t('common.unavailable')}</Alert>;
  const items = referrals.data.items;
  if (items.length === 0) return <Text>{t('referrals.none')}</Text>;
  return (
    <Table striped>
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">{t('case.reference')}</Table.Th>
          <Table.Th scope="col">{direction === 'incoming' ? t('referral.from') : t('referral.to')}</Table.Th>
          <Table.Th scope="col">{t('refer.purpose')}</Table.Th>
          <Table.Th scope="col">{t('refer.urgency')}</Table.Th>
          <Table.Th scope="col">{t('referral.status')}</Table.Th>
          <Table.Th scope="col">{t('referral.deadline')}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {items.map((referral) => (
          <Table.Tr key={referral.id}>
            <Table.Td>
              <Anchor component={Link} to={`/referrals/${referral.id}`} ff="monospace">
                {referral.caseReference}
              </Anchor>
            </Table.Td>
            <Table.Td>{direction === 'incoming' ? referral.from.name : referral.to.name}</Table.Td>
            <Table.Td>{label.purpose(t, referral.purpose)}</Table.Td>
            <Table.Td>{label.urgency(t, referral.urgency)}</Table.Td>
            <Table.Td>
              <Badge variant="filled" color={statusColor(referral.status)}>
                {label.referralStatus(t, referral.status)}
              </Badge>
            </Table.Td>
            <Table.Td>{referral.status === 'pending' ? <Deadline at={referral.respondBy} /> : '—'}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export default function ReferralListPage() {
  const t = useT();
  usePageTitle(t('referrals.title'));
  const [tab, setTab] = useState<string | null>('incoming');
  return (
    <Stack>
      <Title order={1}>{t('referrals.title')}</Title>
      <Tabs value={tab} onChange={setTab} keepMounted={false}>
        <Tabs.List aria-label={t('referrals.title')}>
          <Tabs.Tab value="incoming">{t('referrals.incoming')}</Tabs.Tab>
          <Tabs.Tab value="outgoing">{t('referrals.outgoing')}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="incoming" pt="md">
          <ReferralTable direction="incoming" />
        </Tabs.Panel>
        <Tabs.Panel value="outgoing" pt="md">
          <ReferralTable direction="outgoing" />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
