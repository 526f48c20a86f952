import { Alert, Anchor, Badge, Button, Code, Group, MultiSelect, Paper, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { FormattedDate } from 'react-intl';
import { Link, useSearchParams } from 'react-router';
import { useT } from '../../i18n/i18n';
import { Pending } from '../../shell/Pending';
import { useMe } from '../../shell/useMe';
import { usePageTitle } from '../../shell/usePageTitle';
import {
  type Delivery,
  type EventType,
  type Webhook,
  useCreateWebhook,
  useDeactivateWebhook,
  useDeliveries,
  useReplayDelivery,
  useRotateSecret,
  useWebhooks,
} from './hooks';
import { adminProblem } from './UsersPage';

const EVENT_TYPES: EventType[] = [
  'referral.received',
  'referral.accepted',
  'referral.declined',
  'referral.withdrawn',
  'referral.expired',
  'referral.reminder',
  'consent.withdrawn',
  'case.closed',
  'break_glass.used',
  'break_glass.review_due',
  'reflection_period.ending',
  'reflection_period.ended',
  'task.due',
  'case.minor_at_adult_centre',
];

/** A signing secret, shown once: it lives in this component's state only until the page is left. */
function SecretOnce({ secret, onDone }: { secret: string; onDone: () => void }) {
  const t = useT();
  return (
    <Alert color="yellow" title={t('admin.webhooks.secretTitle')} role="status">
      <Stack gap="xs">
        <Text size="sm">{t('admin.webhooks.secretHint')}</Text>
        <Code block data-testid="webhook-secret">
          {secret}
        </Code>
        <Button size="xs" variant="default" w="fit-content" onClick={onDone}>
          {t('admin.webhooks.secretDone')}
        </Button>
      </Stack>
    </Alert>
  );
}

function CreateForm({ organisationId, onSecret }: { organisationId: string; onSecret: (secret: string) => void }) {
  const t = useT();
  const create = useCreateWebhook(organisationId);
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<string[]>([]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      { url: url.trim(), events: events as EventType[] },
      {
        onSuccess: (created) => {
          onSecret(created.secret);
          setUrl('');
          setEvents([]);
        },
      },
    );
  };
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="new-webhook-heading">
      <form onSubmit={submit} noValidate>
        <Stack>
          <Title order={2} size="h3" id="new-webhook-heading">
            {t('admin.webhooks.create')}
          </Title>
          <TextInput
            label={t('admin.webhooks.url')}
            description={t('admin.webhooks.urlHint')}
            required
            type="url"
            value={url}
            onChange={(e) => setUrl(e.currentTarget.value)}
            maw={560}
          />
          <MultiSelect
            label={t('admin.webhooks.events')}
            required
            data={EVENT_TYPES.map((value) => ({ value, label: value }))}
            value={events}
            onChange={setEvents}
            maw={560}
            searchable
          />
          <Button type="submit" w="fit-content" loading={create.isPending} disabled={!url.trim() || events.length === 0}>
            {t('admin.webhooks.createSubmit')}
          </Button>
          {create.isError && (
            <Alert color="red" role="alert">
              {adminProblem(t, create.error)}
            </Alert>
          )}
        </Stack>
      </form>
    </Paper>
  );
}

function statusColour(status: Delivery['status']): string {
  return status === 'delivered' ? 'teal.9' : status === 'dead' ? 'red.9' : 'indigo.9';
}

function DeliveryLog({ organisationId, webhook }: { organisationId: string; webhook: Webhook }) {
  const t = useT();
  const deliveries = useDeliveries(organisationId, webhook.id);
  const replay = useReplayDelivery(organisationId, webhook.id);
  const items = (deliveries.data?.pages ?? []).flatMap((page) => page.items);
  return (
    <Stack component="section" aria-labelledby="deliveries-heading">
      <Title order={2} size="h3" id="deliveries-heading">
        {t('admin.webhooks.deliveries')}
      </Title>
      <Text size="sm">{webhook.url}</Text>
      {deliveries.isPending && <Pending />}
      {deliveries.isError && <Alert color="red">{t('common.unavailable')}</Alert>}
      {deliveries.data && items.length === 0 && <Text>{t('admin.webhooks.noDeliveries')}</Text>}
      {items.length > 0 && (
        <Table striped>
          <Table.Caption>{t('admin.webhooks.deliveriesCaption')}</Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{t('admin.webhooks.when')}</Table.Th>
              <Table.Th scope="col">{t('admin.webhooks.event')}</Table.Th>
              <Table.Th scope="col">{t('admin.webhooks.status')}</Table.Th>
              <Table.Th scope="col">{t('admin.webhooks.attempts')}</Table.Th>
              <Table.Th scope="col">{t('admin.webhooks.lastAnswer')}</Table.Th>
              <Table.Th scope="col">{t('admin.actions')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((delivery) => (
              <Table.Tr key={delivery.id}>
                <Table.Td>
                  <FormattedDate value={delivery.createdAt} dateStyle="medium" timeStyle="medium" />
                </Table.Td>
                <Table.Td>
                  <Code>{delivery.type}</Code>
                </Table.Td>
                <Table.Td>
                  <Badge color={statusColour(delivery.status)} variant="filled">
                    {t(`admin.delivery.${delivery.status}`)}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  {delivery.attempts}
                  {delivery.replays > 0 && ` (${t('admin.webhooks.replays', { count: delivery.replays })})`}
                </Table.Td>
                <Table.Td>{delivery.lastStatusCode ?? delivery.lastError ?? '—'}</Table.Td>
                <Table.Td>
                  {delivery.status === 'dead' && webhook.active && (
                    <Button
                      size="xs"
                      variant="default"
                      loading={replay.isPending && replay.variables === delivery.id}
                      onClick={() => replay.mutate(delivery.id)}
                    >
                      {t('admin.webhooks.replay')}
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {replay.isError && (
        <Alert color="red" role="alert">
          {adminProblem(t, replay.error)}
        </Alert>
      )}
      {deliveries.hasNextPage && (
        <Button variant="default" onClick={() => void deliveries.fetchNextPage()} loading={deliveries.isFetchingNextPage} w="fit-content">
          {t('common.more')}
        </Button>
      )}
    </Stack>
  );
}

export default function WebhooksPage() {
  const t = useT();
  usePageTitle(t('admin.webhooks.title'));
  const me = useMe();
  const organisationId = me.data?.organisation.id ?? '';
  const webhooks = useWebhooks(organisationId);
  const rotate = useRotateSecret(organisationId);
  const deactivate = useDeactivateWebhook(organisationId);
  const [secret, setSecret] = useState<string | null>(null);
  // The webhook whose delivery log is shown is in the address (?webhook=<id>), so the view can be bookmarked.
  const [params, setParams] = useSearchParams();
  const selectedId = params.get('webhook');
  if (!me.data) return <Pending />;
  const items = webhooks.data?.items ?? [];
  const selected = items.find((webhook) => webhook.id === selectedId);

  return (
    <Stack>
      <Title order={1}>{t('admin.webhooks.title')}</Title>
      {secret && <SecretOnce secret={secret} onDone={() => setSecret(null)} />}
      <CreateForm organisationId={organisationId} onSecret={setSecret} />
      {webhooks.isPending && <Pending />}
      {webhooks.isError && <Alert color="red">{t('common.unavailable')}</Alert>}
      {webhooks.data && items.length === 0 && <Text>{t('admin.webhooks.none')}</Text>}
      {items.length > 0 && (
        <Table striped>
          <Table.Caption>{t('admin.webhooks.caption')}</Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{t('admin.webhooks.url')}</Table.Th>
              <Table.Th scope="col">{t('admin.webhooks.events')}</Table.Th>
              <Table.Th scope="col">{t('admin.webhooks.status')}</Table.Th>
              <Table.Th scope="col">{t('admin.webhooks.created')}</Table.Th>
              <Table.Th scope="col">{t('admin.actions')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((webhook) => (
              <Table.Tr key={webhook.id}>
                <Table.Td style={{ wordBreak: 'break-all' }}>
                  <Anchor component={Link} to={`/admin/webhooks?webhook=${webhook.id}`} aria-current={webhook.id === selectedId ? 'true' : undefined}>
                    {webhook.url}
                  </Anchor>
                </Table.Td>
                <Table.Td>{webhook.events.join(', ')}</Table.Td>
                <Table.Td>
                  <Badge color={webhook.active ? 'teal.9' : 'gray.7'} variant="filled">
                    {webhook.active ? t('admin.webhooks.active') : t('admin.webhooks.inactive')}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <FormattedDate value={webhook.createdAt} dateStyle="medium" />
                </Table.Td>
                <Table.Td>
                  <Group gap="xs" wrap="nowrap">
                    <Button size="xs" variant="default" onClick={() => setParams({ webhook: webhook.id })}>
                      {t('admin.webhooks.showDeliveries')}
                    </Button>
                    {webhook.active && (
                      <>
                        <Button
                          size="xs"
                          variant="default"
                          loading={rotate.isPending && rotate.variables === webhook.id}
                          onClick={() => rotate.mutate(webhook.id, { onSuccess: (rotated) => setSecret(rotated.secret) })}
                        >
                          {t('admin.webhooks.rotate')}
                        </Button>
                        <Button
                          size="xs"
                          variant="default"
                          color="red"
                          loading={deactivate.isPending && deactivate.variables === webhook.id}
                          onClick={() => deactivate.mutate(webhook.id)}
                        >
                          {t('admin.webhooks.deactivate')}
                        </Button>
                      </>
                    )}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {(rotate.isError || deactivate.isError) && (
        <Alert color="red" role="alert">
          {adminProblem(t, rotate.error ?? deactivate.error)}
        </Alert>
      )}
      {selected && <DeliveryLog organisationId={organisationId} webhook={selected} />}
    </Stack>
  );
}
