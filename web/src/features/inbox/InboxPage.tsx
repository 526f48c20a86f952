import { Alert, Anchor, Button, Group, Paper, Stack, Text, Title, VisuallyHidden } from '@mantine/core';
import { FormattedDate } from 'react-intl';
import { Link } from 'react-router';
import { useT } from '../../i18n/i18n';
import { Pending } from '../../shell/Pending';
import { usePageTitle } from '../../shell/usePageTitle';
import { useInbox, useMarkRead } from './hooks';

export default function InboxPage() {
  const t = useT();
  usePageTitle(t('inbox.title'));
  const inbox = useInbox();
  const markRead = useMarkRead();
  return (
    <Stack maw={880}>
      <Title order={1}>{t('inbox.title')}</Title>
      {inbox.isPending && <Pending />}
      {inbox.isError && <Alert color="red">{t('common.unavailable')}</Alert>}
      {inbox.data?.items.length === 0 && <Text>{t('inbox.empty')}</Text>}
      <Stack gap="xs" component="ul" style={{ listStyle: 'none', padding: 0 }}>
        {inbox.data?.items.map((item) => (
          <Paper component="li" key={item.id} withBorder p="sm" bg={item.readAt ? undefined : 'indigo.0'}>
            <Group justify="space-between" wrap="nowrap" align="flex-start">
              <Stack gap={2}>
                <Text fw={item.readAt ? 400 : 700}>
                  {!item.readAt && <VisuallyHidden>{t('inbox.unread')}: </VisuallyHidden>}
                  {item.title}
                </Text>
                <Text size="sm" c="dimmed">
                  <FormattedDate value={item.createdAt} dateStyle="medium" timeStyle="short" />
                  {item.actor && ` · ${item.actor.name}, ${item.actor.organisation.name}`}
                </Text>
                <Group gap="md">
                  {item.referralId && (
                    <Anchor component={Link} to={`/referrals/${item.referralId}`} size="sm">
                      {t('inbox.openReferral', { reference: item.caseReference })}
                    </Anchor>
                  )}
                  <Anchor component={Link} to={`/cases/${item.caseId}`} size="sm">
                    {t('inbox.openCase', { reference: item.caseReference })}
                  </Anchor>
                </Group>
              </Stack>
              {!item.readAt && (
                <Button size="xs" variant="default" loading={markRead.isPending && markRead.variables === item.id} onClick={() => markRead.mutate(item.id)}>
                  {t('inbox.markRead')}
                </Button>
              )}
            </Group>
          </Paper>
        ))}
      </Stack>
    </Stack>
  );
}
