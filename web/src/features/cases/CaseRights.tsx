import { Alert, Badge, Button, Group, Modal, Stack, Text, Textarea, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { FormattedDate } from 'react-intl';
import { api } from '../../api/client';
import { ApiError, statusOf, unwrap } from '../../api/errors';
import type { CaseView } from '../../api/types';
import { useT } from '../../i18n/i18n';
import { caseKeys } from './hooks';

/**
 * The victim's subject report as a PDF, fetched with the session's bearer token (the API client)
 * and handed to the browser as a download from a blob: no victim data and no token in any URL,
 * and nothing kept once the download has started.
 */
export function SubjectReportButton({ kase }: { kase: CaseView }) {
  const t = useT();
  const download = useMutation({
    mutationFn: async () => {
      const { data, response } = await api.GET('/api/cases/{id}/subject-report', {
        params: { path: { id: kase.id } },
        headers: { accept: 'application/pdf' },
        parseAs: 'blob',
      });
      if (!response.ok || !data) throw new ApiError(response.status, undefined);
      const url = URL.createObjectURL(data);
      const link = document.createElement('a');
      link.href = url;
      link.download = `subject-report-${kase.reference}.pdf`;
      document.body.append(link);
      link.click();
      link.remove();
      // The browser has taken the file; the blob is not kept.
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    },
  });
  return (
    <Stack gap={4}>
      <Button variant="default" loading={download.isPending} onClick={() => download.mutate()}>
        {t('rights.subjectReport')}
      </Button>
      {download.isError && (
        <Alert color="red" role="alert">
          {t('common.unavailable')}
        </Alert>
      )}
    </Stack>
  );
}

/** The legal hold: shown to everyone who reads the case, set and lifted by the prosecution taking part. */
export function LegalHoldPanel({ kase }: { kase: CaseView }) {
  const t = useT();
  const queryClient = useQueryClient();
  const canManage = kase.permissions.actions.includes('legalHold');
  const [opened, setOpened] = useState(false);
  const [reason, setReason] = useState('');
  const refresh = () => queryClient.invalidateQueries({ queryKey: caseKeys.detail(kase.id) });
  const set = useMutation({
    mutationFn: (text: string) => unwrap(api.POST('/api/cases/{id}/legal-hold', { params: { path: { id: kase.id } }, body: { reason: text } })),
    onSuccess: async () => {
      setOpened(false);
      setReason('');
      await refresh();
    },
  });
  const release = useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/cases/{id}/legal-hold', { params: { path: { id: kase.id } } })),
    onSuccess: refresh,
  });
  const hold = kase.legalHold;
  if (!hold && !canManage) return null;
  return (
    <Stack gap="xs" maw={640} aria-labelledby="legal-hold-title" component="section">
      <Title order={2} size="h3" id="legal-hold-title">
        {t('rights.legalHold')}
      </Title>
      {hold ? (
        <Group gap="xs" data-testid="legal-hold-state">
          <Badge color="red.9" variant="filled">
            {t('rights.held')}
          </Badge>
          <Text size="sm">
            {t('rights.heldSince')} <FormattedDate value={hold.since} dateStyle="medium" />: {hold.reason}
          </Text>
        </Group>
      ) : (
        <Text size="sm" data-testid="legal-hold-state">
          {t('rights.notHeld')}
        </Text>
      )}
      {canManage &&
        (hold ? (
          <Button variant="default" w="fit-content" loading={release.isPending} onClick={() => release.mutate()}>
            {t('rights.release')}
          </Button>
        ) : (
          <Button variant="default" w="fit-content" onClick={() => setOpened(true)}>
            {t('rights.setHold')}
          </Button>
        ))}
      {release.isError && (
        <Alert color="red" role="alert">
          {t('common.unavailable')}
        </Alert>
      )}
      <Modal opened={opened} onClose={() => setOpened(false)} closeButtonProps={{ 'aria-label': t('common.close') }} title={t('rights.setHold')}>
        <Stack>
          <Text size="sm">{t('rights.holdIntro')}</Text>
          <Textarea
            label={t('rights.reason')}
            description={t('rights.reasonHint')}
            required
            autosize
            minRows={2}
            maxLength={500}
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
          />
          {set.isError && (
            <Alert color="red" role="alert">
              {statusOf(set.error) === 409 ? t('rights.alreadyHeld') : t('common.unavailable')}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setOpened(false)}>
              {t('common.cancel')}
            </Button>
            <Button disabled={reason.trim() === ''} loading={set.isPending} onClick={() => set.mutate(reason.trim())}>
              {t('rights.confirmHold')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}

/** What a case past its retention period shows: its content no longer exists (410). */
export function AnonymisedCase() {
  const t = useT();
  return (
    <Stack maw={640}>
      <Title order={1}>{t('rights.anonymisedTitle')}</Title>
      <Alert color="gray.7" role="status">
        {t('rights.anonymised')}
      </Alert>
    </Stack>
  );
}
