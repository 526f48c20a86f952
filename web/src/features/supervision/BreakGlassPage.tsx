import { Alert, Anchor, Badge, Button, Card, Group, Radio, SegmentedControl, Stack, Text, Textarea, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { FormattedDate } from 'react-intl';
import { Link, useSearchParams } from 'react-router';
import { useT } from '../../i18n/i18n';
import { Pending } from '../../shell/Pending';
import { usePageTitle } from '../../shell/usePageTitle';
import { MoreButton } from './EventTable';
import { useBreakGlassQueue, useReviewBreakGlass } from './hooks';
import type { BreakGlassGrant, Verdict } from './types';

function ReviewForm({ grant }: { grant: BreakGlassGrant }) {
  const t = useT();
  const review = useReviewBreakGlass();
  const [verdict, setVerdict] = useState<Verdict | ''>('');
  const [note, setNote] = useState('');
  const [tried, setTried] = useState(false);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (!verdict || !note.trim()) return;
    review.mutate({ id: grant.id, verdict, note: note.trim() });
  };
  return (
    <form onSubmit={submit} aria-label={t('sv.breakGlass.reviewOf', { reference: grant.caseReference })} noValidate>
      <Stack gap="xs">
        <Radio.Group
          label={t('sv.breakGlass.verdict')}
          value={verdict}
          onChange={(value) => setVerdict(value === 'justified' || value === 'not_justified' ? value : '')}
          error={tried && !verdict ? t('sv.breakGlass.verdictNeeded') : undefined}
          required
        >
          <Group mt={4}>
            <Radio value="justified" label={t('sv.verdict.justified')} />
            <Radio value="not_justified" label={t('sv.verdict.not_justified')} />
          </Group>
        </Radio.Group>
        {verdict === 'not_justified' && <Text size="sm">{t('sv.breakGlass.notJustifiedHint')}</Text>}
        <Textarea
          label={t('sv.breakGlass.note')}
          value={note}
          onChange={(event) => setNote(event.currentTarget.value)}
          error={tried && !note.trim() ? t('sv.breakGlass.noteNeeded') : undefined}
          autosize
          minRows={2}
          maxLength={2000}
          required
        />
        {review.isError && <Alert color="red">{t('sv.breakGlass.reviewFailed')}</Alert>}
        <Button type="submit" loading={review.isPending} w="fit-content">
          {t('sv.breakGlass.submit')}
        </Button>
      </Stack>
    </form>
  );
}

function GrantCard({ grant }: { grant: BreakGlassGrant }) {
  const t = useT();
  const active = Date.parse(grant.expiresAt) > Date.now();
  return (
    <Card withBorder component="article" aria-labelledby={`grant-${grant.id}`} data-testid="break-glass-grant">
      <Stack gap="xs">
        <Group justify="space-between">
          <Title order={2} size="h4" id={`grant-${grant.id}`}>
            <Anchor component={Link} to={`/cases/${grant.caseId}/access-log`} ff="monospace">
              {grant.caseReference}
            </Anchor>
          </Title>
          <Badge color={active ? 'grape.9' : 'gray.7'} variant="filled">
            {active ? t('sv.breakGlass.active') : t('sv.breakGlass.expired')}
          </Badge>
        </Group>
        <Text size="sm">{t('sv.breakGlass.who', { name: grant.user.name, organisation: grant.organisation.name })}</Text>
        <Text size="sm">
          {t('sv.breakGlass.when')} <FormattedDate value={grant.createdAt} dateStyle="medium" timeStyle="short" /> · {t('sv.breakGlass.expires')}{' '}
          <FormattedDate value={grant.expiresAt} dateStyle="medium" timeStyle="short" />
        </Text>
        <Text size="sm" fw={600}>
          {t('sv.breakGlass.justification')}
        </Text>
        <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
          {grant.justification}
        </Text>
        {grant.reviewedAt ? (
          <Stack gap={4}>
            <Group gap="xs">
              <Badge color={grant.verdict === 'not_justified' ? 'red.9' : 'teal.9'} variant="filled" data-testid="verdict">
                {grant.verdict ? t(`sv.verdict.${grant.verdict}`) : t('sv.breakGlass.reviewed')}
              </Badge>
              <Text size="sm">
                {t('sv.breakGlass.reviewedBy', { name: grant.reviewer?.name ?? '—' })}{' '}
                <FormattedDate value={grant.reviewedAt} dateStyle="medium" timeStyle="short" />
              </Text>
            </Group>
            {grant.reviewNote && (
              <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                {grant.reviewNote}
              </Text>
            )}
          </Stack>
        ) : (
          <ReviewForm grant={grant} />
        )}
      </Stack>
    </Card>
  );
}

/** `/audit/break-glass`: the review queue (`?reviewed=true` shows the reviewed ones). */
export default function BreakGlassPage() {
  const t = useT();
  usePageTitle(t('sv.breakGlass.title'));
  const [params, setParams] = useSearchParams();
  const reviewed = params.get('reviewed') === 'true';
  const queue = useBreakGlassQueue(reviewed);
  const items = (queue.data?.pages ?? []).flatMap((page) => page.items);
  return (
    <Stack>
      <Title order={1}>{t('sv.breakGlass.title')}</Title>
      <SegmentedControl
        w="fit-content"
        aria-label={t('sv.breakGlass.show')}
        value={reviewed ? 'true' : 'false'}
        onChange={(value) => setParams(value === 'true' ? { reviewed: 'true' } : {})}
        data={[
          { value: 'false', label: t('sv.breakGlass.toReview') },
          { value: 'true', label: t('sv.breakGlass.reviewedList') },
        ]}
      />
      {queue.isPending && <Pending />}
      {queue.isError && <Alert color="red">{t('common.unavailable')}</Alert>}
      {queue.data && items.length === 0 && <Text>{reviewed ? t('sv.breakGlass.noneReviewed') : t('sv.breakGlass.noneToReview')}</Text>}
      {items.map((grant) => (
        <GrantCard key={grant.id} grant={grant} />
      ))}
      <MoreButton hasMore={queue.hasNextPage} loading={queue.isFetchingNextPage} onMore={() => void queue.fetchNextPage()} />
    </Stack>
  );
}
