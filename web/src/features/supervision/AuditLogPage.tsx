import { Alert, Button, Card, Code, Group, List, Progress, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useRef, useState } from 'react';
import { FormattedDate, FormattedNumber } from 'react-intl';
import { api } from '../../api/client';
import { useT } from '../../i18n/i18n';
import { Pending } from '../../shell/Pending';
import { usePageTitle } from '../../shell/usePageTitle';
import { readEvents } from '../inbox/useUnreadStream';
import { useLogState } from './hooks';
import type { Verification } from './types';

type Run = { state: 'idle' } | { state: 'running'; checked: number; total: number } | { state: 'done'; result: Verification } | { state: 'failed' };

/**
 * Runs GET /api/audit/verify/stream and reports its progress. The stream is read in the
 * background: the page stays usable, and leaving it aborts the read (the server finishes and
 * shares its run with anyone else verifying).
 */
function useVerification() {
  const [run, setRun] = useState<Run>({ state: 'idle' });
  const controller = useRef<AbortController | null>(null);
  const start = () => {
    controller.current?.abort();
    const abort = new AbortController();
    controller.current = abort;
    setRun({ state: 'running', checked: 0, total: 0 });
    void (async () => {
      let finished = false;
      try {
        const { response } = await api.GET('/api/audit/verify/stream', { parseAs: 'stream', signal: abort.signal });
        if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
        await readEvents(response.body, (event, data) => {
          if (event === 'progress') setRun({ state: 'running', ...(JSON.parse(data) as { checked: number; total: number }) });
          if (event === 'result') {
            finished = true;
            setRun({ state: 'done', result: JSON.parse(data) as Verification });
          }
        });
        if (!finished) setRun({ state: 'failed' });
      } catch {
        if (!abort.signal.aborted) setRun({ state: 'failed' });
      }
    })();
  };
  return { run, start };
}

/** `/audit/log`: the verifiable log's state (newest signed checkpoint) and a verification on demand. */
export default function AuditLogPage() {
  const t = useT();
  usePageTitle(t('sv.log.title'));
  const log = useLogState();
  const { run, start } = useVerification();
  const checkpoint = log.data?.checkpoint;
  const percent = run.state === 'running' && run.total > 0 ? Math.floor((run.checked / run.total) * 100) : 0;
  return (
    <Stack>
      <Title order={1}>{t('sv.log.title')}</Title>
      <Text>{t('sv.log.intro')}</Text>
      {log.isPending && <Pending />}
      {log.isError && <Alert color="red">{t('common.unavailable')}</Alert>}
      {log.data && (
        <Card withBorder component="section" aria-labelledby="checkpoint-title">
          <Title order={2} size="h3" id="checkpoint-title" mb="sm">
            {t('sv.log.checkpoint')}
          </Title>
          {checkpoint ? (
            <Stack gap="xs">
              <SimpleGrid cols={{ base: 1, sm: 3 }}>
                <div>
                  <Text size="sm" c="dimmed">
                    {t('sv.log.treeSize')}
                  </Text>
                  <Text fw={700} data-testid="tree-size">
                    <FormattedNumber value={Number(checkpoint.treeSize)} />
                  </Text>
                </div>
                <div>
                  <Text size="sm" c="dimmed">
                    {t('sv.log.signedAt')}
                  </Text>
                  <Text fw={700}>
                    <FormattedDate value={checkpoint.signedAt} dateStyle="medium" timeStyle="medium" />
                  </Text>
                </div>
                <div>
                  <Text size="sm" c="dimmed">
                    {t('sv.log.entries')}
                  </Text>
                  <Text fw={700}>
                    <FormattedNumber value={Number(log.data.entries)} />
                  </Text>
                </div>
              </SimpleGrid>
              <Text size="sm" c="dimmed">
                {t('sv.log.note')}
              </Text>
              <Code block data-testid="checkpoint-note">
                {checkpoint.note}
              </Code>
            </Stack>
          ) : (
            <Text>{t('sv.log.noCheckpoint')}</Text>
          )}
        </Card>
      )}
      <Card withBorder component="section" aria-labelledby="verify-title">
        <Title order={2} size="h3" id="verify-title" mb="sm">
          {t('sv.log.verifyTitle')}
        </Title>
        <Stack gap="sm">
          <Text size="sm">{t('sv.log.verifyHint')}</Text>
          <Group>
            <Button onClick={start} loading={run.state === 'running'} data-testid="verify-now">
              {t('sv.log.verify')}
            </Button>
          </Group>
          {/* Announced politely as it changes; the page stays usable meanwhile. */}
          <div aria-live="polite">
            {run.state === 'running' && (
              <Stack gap={4}>
                <Progress value={percent} aria-label={t('sv.log.progress')} animated />
                <Text size="sm">{t('sv.log.checked', { checked: run.checked, total: run.total })}</Text>
              </Stack>
            )}
            {run.state === 'failed' && <Alert color="red">{t('sv.log.verifyFailed')}</Alert>}
            {run.state === 'done' && (
              <Alert color={run.result.valid ? 'teal' : 'red'} title={run.result.valid ? t('sv.log.valid') : t('sv.log.invalid')} data-testid="verify-result">
                <Text size="sm">{t('sv.log.checkedAll', { checked: run.result.checked, size: run.result.checkpointSize })}</Text>
                {run.result.breaks.length > 0 && (
                  <List size="sm" mt="xs">
                    {run.result.breaks.map((item, index) => (
                      <List.Item key={`${item.eventId ?? ''}-${item.index ?? ''}-${index}`}>
                        {item.index !== null && <Code>#{item.index}</Code>} {item.reason}
                      </List.Item>
                    ))}
                  </List>
                )}
              </Alert>
            )}
          </div>
        </Stack>
      </Card>
    </Stack>
  );
}
