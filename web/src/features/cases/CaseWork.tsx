import {
  Alert,
  Anchor,
  Badge,
  Button,
  Group,
  Input,
  List,
  Modal,
  Select,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Timeline,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useId, useState, type FormEvent } from 'react';
import { FormattedDate } from 'react-intl';
import { Link } from 'react-router';
import { statusOf } from '../../api/errors';
import type { CaseDocument, CaseView, DocumentSection, IdentityMatch, Note } from '../../api/types';
import { useT } from '../../i18n/i18n';
import { label } from '../../i18n/labels';
import {
  downloadDocument,
  useAddNote,
  useAddTask,
  useApproveClosing,
  useAssignees,
  useCaseTasks,
  useDocuments,
  useNotes,
  useRejectClosing,
  useReopenCase,
  useUploadDocument,
} from './workHooks';

const DOCUMENT_SECTIONS: readonly DocumentSection[] = ['identity', 'care', 'investigation', 'immigration'];
const MAX_DOCUMENT_BYTES = 20 * 1024 * 1024;

/** 403 on case work means the caller sees the case (e.g. by emergency access) without taking part. */
function WorkUnavailable({ error }: { error: unknown }) {
  const t = useT();
  return <Text c="dimmed">{statusOf(error) === 403 ? t('work.participantsOnly') : t('common.unavailable')}</Text>;
}

/**
 * Another agency already holds an open case for this person (the API's possibleDuplicates on
 * create). Only the lead organisation to contact is named, and the case reference when the
 * officer may read that case; nothing about the person.
 */
export function DuplicateWarning({ matches }: { matches: readonly IdentityMatch[] }) {
  const t = useT();
  return (
    <Alert color="orange" title={t('match.title')} role="status">
      <Stack gap="xs">
        <Text size="sm">{t('match.intro')}</Text>
        <List size="sm">
          {matches.map((match, index) => (
            <List.Item key={match.caseId ?? `${match.organisation.id}-${index}`}>
              {t('match.contact', { organisation: match.organisation.name })}
              {match.visible && match.caseId && match.reference && (
                <>
                  {' '}
                  <Anchor component={Link} to={`/cases/${match.caseId}`}>
                    {match.reference}
                  </Anchor>
                </>
              )}
            </List.Item>
          ))}
        </List>
      </Stack>
    </Alert>
  );
}

/**
 * Where closing the case stands: waiting for the prosecution (which approves or rejects it here),
 * rejected with the prosecution's reason, or reopened with the lead's reason.
 */
export function ClosureBanner({ kase }: { kase: CaseView }) {
  const t = useT();
  const approve = useApproveClosing(kase.id);
  const reject = useRejectClosing(kase.id);
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState('');
  const closure = kase.closure;
  const open = kase.status === 'open';
  const reopenedLater = kase.reopening && (!closure || closure.requestedAt < kase.reopening.reopenedAt);
  const mayDecide = kase.permissions.actions.includes('decideClosure');

  if (open && closure?.status === 'pending') {
    return (
      <Alert color="orange" title={t('closure.pendingTitle')} data-testid="closure-banner">
        <Stack gap="sm">
          <Text size="sm">
            {t('closure.pending', { reason: label.closeReason(t, closure.reason) })}{' '}
            <FormattedDate value={closure.requestedAt} dateStyle="medium" timeStyle="short" />
          </Text>
          {mayDecide && !rejecting && (
            <Group>
              <Button loading={approve.isPending} onClick={() => approve.mutate(undefined)}>
                {t('closure.approve')}
              </Button>
              <Button variant="default" onClick={() => setRejecting(true)}>
                {t('closure.reject')}
              </Button>
            </Group>
          )}
          {mayDecide && rejecting && (
            <form
              onSubmit={(event) => {
                event.preventDefault();
                if (reason.trim()) reject.mutate(reason.trim(), { onSuccess: () => setRejecting(false) });
              }}
            >
              <Stack gap="xs">
                <Textarea
                  label={t('closure.rejectReason')}
                  description={t('closure.rejectHint')}
                  required
                  autosize
                  minRows={2}
                  maxLength={2000}
                  value={reason}
                  onChange={(event) => setReason(event.currentTarget.value)}
                />
                <Group>
                  <Button type="submit" color="red.8" disabled={!reason.trim()} loading={reject.isPending}>
                    {t('closure.rejectSubmit')}
                  </Button>
                  <Button variant="default" onClick={() => setRejecting(false)}>
                    {t('common.cancel')}
                  </Button>
                </Group>
              </Stack>
            </form>
          )}
          {(approve.isError || reject.isError) && (
            <Alert color="red" role="alert">
              {statusOf(approve.error ?? reject.error) === 409 ? t('closure.conflict') : t('common.unavailable')}
            </Alert>
          )}
        </Stack>
      </Alert>
    );
  }
  if (open && closure?.status === 'rejected' && !reopenedLater) {
    return (
      <Alert color="red" title={t('closure.rejectedTitle')} data-testid="closure-banner">
        <Text size="sm">
          {t('closure.rejected')} <FormattedDate value={closure.decidedAt ?? closure.requestedAt} dateStyle="medium" timeStyle="short" />
        </Text>
        <Text size="sm" data-testid="closure-rejection-reason" style={{ whiteSpace: 'pre-wrap' }}>
          {closure.rejectionReason}
        </Text>
      </Alert>
    );
  }
  if (open && kase.reopening && reopenedLater) {
    return (
      <Alert color="gray" title={t('closure.reopenedTitle')} data-testid="closure-banner">
        <Text size="sm">
          <FormattedDate value={kase.reopening.reopenedAt} dateStyle="medium" timeStyle="short" />
        </Text>
        <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
          {kase.reopening.reason}
        </Text>
      </Alert>
    );
  }
  return null;
}

export function ReopenDialog({ opened, onClose, kase }: { opened: boolean; onClose: () => void; kase: CaseView }) {
  const t = useT();
  const reopen = useReopenCase(kase.id);
  const [reason, setReason] = useState('');
  return (
    <Modal opened={opened} onClose={onClose} closeButtonProps={{ 'aria-label': t('common.close') }} title={t('reopen.title', { reference: kase.reference })}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (reason.trim()) reopen.mutate(reason.trim(), { onSuccess: onClose });
        }}
      >
        <Stack>
          <Text size="sm">{t('reopen.intro')}</Text>
          <Textarea
            label={t('reopen.reason')}
            required
            autosize
            minRows={3}
            maxLength={2000}
            value={reason}
            onChange={(event) => setReason(event.currentTarget.value)}
          />
          {reopen.isError && (
            <Alert color="red" role="alert">
              {t('common.unavailable')}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" disabled={!reason.trim()} loading={reopen.isPending}>
              {t('reopen.submit')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** Notes and the victim contact log, newest first, with the form to add one (append-only). */
export function NotesTimeline({ caseId, canAdd }: { caseId: string; canAdd: boolean }) {
  const t = useT();
  const notes = useNotes(caseId);
  const add = useAddNote(caseId);
  const [kind, setKind] = useState<'note' | 'contact'>('note');
  const [visibility, setVisibility] = useState<'participants' | 'organisation'>('participants');
  const [body, setBody] = useState('');
  const [contactAt, setContactAt] = useState('');

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!body.trim()) return;
    add.mutate(
      { body: body.trim(), kind, visibility, ...(kind === 'contact' && contactAt ? { contactAt: new Date(contactAt).toISOString() } : {}) },
      {
        onSuccess: () => {
          setBody('');
          setContactAt('');
        },
      },
    );
  };

  return (
    <Stack gap="sm" component="section" aria-labelledby={`${caseId}-notes`}>
      <Title order={2} size="h3" id={`${caseId}-notes`}>
        {t('notes.title')}
      </Title>
      {canAdd && !notes.isError && (
        <form onSubmit={submit} aria-label={t('notes.add')}>
          <Stack gap="xs" maw={720}>
            <Group grow align="flex-start">
              <Select
                label={t('notes.kind')}
                value={kind}
                allowDeselect={false}
                onChange={(value) => setKind(value === 'contact' ? 'contact' : 'note')}
                data={[
                  { value: 'note', label: t('notes.kind.note') },
                  { value: 'contact', label: t('notes.kind.contact') },
                ]}
              />
              <Select
                label={t('notes.visibility')}
                value={visibility}
                allowDeselect={false}
                onChange={(value) => setVisibility(value === 'organisation' ? 'organisation' : 'participants')}
                data={[
                  { value: 'participants', label: t('notes.visibility.participants') },
                  { value: 'organisation', label: t('notes.visibility.organisation') },
                ]}
              />
              {kind === 'contact' && (
                <TextInput label={t('notes.contactAt')} type="datetime-local" value={contactAt} onChange={(event) => setContactAt(event.currentTarget.value)} />
              )}
            </Group>
            <Textarea
              label={t('notes.body')}
              required
              autosize
              minRows={2}
              maxLength={10000}
              value={body}
              onChange={(event) => setBody(event.currentTarget.value)}
            />
            {add.isError && (
              <Alert color="red" role="alert">
                {statusOf(add.error) === 422 ? t('notes.future') : t('common.unavailable')}
              </Alert>
            )}
            <Button type="submit" w="fit-content" disabled={!body.trim()} loading={add.isPending}>
              {t('notes.submit')}
            </Button>
          </Stack>
        </form>
      )}
      {notes.isError && <WorkUnavailable error={notes.error} />}
      {notes.data && notes.data.items.length === 0 && <Text c="dimmed">{t('notes.none')}</Text>}
      {notes.data && notes.data.items.length > 0 && (
        <Timeline bulletSize={14} lineWidth={2} data-testid="notes-timeline">
          {notes.data.items.map((note) => (
            <Timeline.Item key={note.id} title={<NoteHeading note={note} />}>
              <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                {note.body}
              </Text>
              <Text size="xs" c="dimmed" mt={4}>
                {note.author.name}, {note.organisation.name} · <FormattedDate value={note.contactAt ?? note.createdAt} dateStyle="medium" timeStyle="short" />
              </Text>
            </Timeline.Item>
          ))}
        </Timeline>
      )}
    </Stack>
  );
}

function NoteHeading({ note }: { note: Note }) {
  const t = useT();
  return (
    <Group gap="xs">
      <Text fw={600} size="sm">
        {note.kind === 'contact' ? t('notes.kind.contact') : t('notes.kind.note')}
      </Text>
      {note.visibility === 'organisation' && (
        <Badge variant="outline" color="gray.8" size="sm">
          {t('notes.visibility.organisation')}
        </Badge>
      )}
    </Group>
  );
}

/** Tasks the caller's organisation set on the case, with the form to give one to a colleague. */
export function CaseTasks({ caseId, canAdd }: { caseId: string; canAdd: boolean }) {
  const t = useT();
  const tasks = useCaseTasks(caseId);
  const assignees = useAssignees(caseId, canAdd && !tasks.isError);
  const add = useAddTask(caseId);
  const [title, setTitle] = useState('');
  const [assigneeId, setAssigneeId] = useState<string | null>(null);
  const [due, setDue] = useState('');
  const ready = title.trim() !== '' && assigneeId !== null && due !== '';

  return (
    <Stack gap="sm" component="section" aria-labelledby={`${caseId}-tasks`}>
      <Title order={2} size="h3" id={`${caseId}-tasks`}>
        {t('tasks.title')}
      </Title>
      {canAdd && !tasks.isError && (
        <form
          aria-label={t('tasks.add')}
          onSubmit={(event) => {
            event.preventDefault();
            if (!ready) return;
            add.mutate(
              { title: title.trim(), assigneeId: assigneeId, dueAt: new Date(due).toISOString() },
              {
                onSuccess: () => {
                  setTitle('');
                  setDue('');
                },
              },
            );
          }}
        >
          <Group align="flex-end" maw={960}>
            <TextInput label={t('tasks.taskTitle')} required maxLength={500} value={title} onChange={(event) => setTitle(event.currentTarget.value)} />
            <Select
              label={t('tasks.assignee')}
              required
              searchable
              value={assigneeId}
              onChange={setAssigneeId}
              data={(assignees.data ?? []).map((user) => ({ value: user.id, label: user.name }))}
            />
            <TextInput label={t('tasks.due')} required type="datetime-local" value={due} onChange={(event) => setDue(event.currentTarget.value)} />
            <Button type="submit" disabled={!ready} loading={add.isPending}>
              {t('tasks.submit')}
            </Button>
          </Group>
          {add.isError && (
            <Alert color="red" role="alert" mt="xs">
              {t('common.unavailable')}
            </Alert>
          )}
        </form>
      )}
      {tasks.isError && <WorkUnavailable error={tasks.error} />}
      {tasks.data && tasks.data.items.length === 0 && <Text c="dimmed">{t('tasks.none')}</Text>}
      {tasks.data && tasks.data.items.length > 0 && (
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{t('tasks.taskTitle')}</Table.Th>
              <Table.Th scope="col">{t('tasks.assignee')}</Table.Th>
              <Table.Th scope="col">{t('tasks.due')}</Table.Th>
              <Table.Th scope="col">{t('tasks.status')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {tasks.data.items.map((task) => (
              <Table.Tr key={task.id}>
                <Table.Td>{task.title}</Table.Td>
                <Table.Td>{task.assignee.name}</Table.Td>
                <Table.Td>
                  <FormattedDate value={task.dueAt} dateStyle="medium" timeStyle="short" />
                </Table.Td>
                <Table.Td>{task.status === 'done' ? t('tasks.done') : t('tasks.open')}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}

function size(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} kB`;
}

/** Documents the caller may read (by section), upload to a section the caller may write, download. */
export function CaseDocuments({ kase, canUpload }: { kase: CaseView; canUpload: boolean }) {
  const t = useT();
  const documents = useDocuments(kase.id);
  const upload = useUploadDocument(kase.id);
  const fileId = useId();
  const writable = DOCUMENT_SECTIONS.filter((section) => kase.permissions.sections[section] === 'write');
  const [section, setSection] = useState<DocumentSection | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const [inputKey, setInputKey] = useState(0);
  const [downloadFailed, setDownloadFailed] = useState(false);
  const tooBig = file !== null && file.size > MAX_DOCUMENT_BYTES;
  const chosen = section ?? writable[0] ?? null;

  const uploadError = upload.error
    ? statusOf(upload.error) === 415 || statusOf(upload.error) === 422
      ? t('documents.badType')
      : statusOf(upload.error) === 413
        ? t('documents.tooBig')
        : t('common.unavailable')
    : null;

  const download = (document: CaseDocument) => {
    setDownloadFailed(false);
    downloadDocument(document).catch(() => setDownloadFailed(true));
  };

  return (
    <Stack gap="sm" component="section" aria-labelledby={`${kase.id}-documents`}>
      <Title order={2} size="h3" id={`${kase.id}-documents`}>
        {t('documents.title')}
      </Title>
      {canUpload && writable.length > 0 && !documents.isError && (
        <form
          aria-label={t('documents.upload')}
          onSubmit={(event) => {
            event.preventDefault();
            if (!file || !chosen || tooBig) return;
            upload.mutate(
              { section: chosen, file },
              {
                onSuccess: () => {
                  setFile(null);
                  setInputKey((key) => key + 1);
                },
              },
            );
          }}
        >
          <Group align="flex-end">
            <Select
              label={t('documents.section')}
              required
              allowDeselect={false}
              value={chosen}
              onChange={(value) => setSection(writable.find((candidate) => candidate === value) ?? null)}
              data={writable.map((value) => ({ value, label: label.section(t, value) }))}
            />
            <Input.Wrapper
              label={t('documents.file')}
              description={t('documents.fileHint')}
              required
              id={fileId}
              error={tooBig ? t('documents.tooBig') : undefined}
            >
              <input
                key={inputKey}
                id={fileId}
                type="file"
                accept=".pdf,.jpg,.jpeg,.png,.docx,.odt,application/pdf,image/jpeg,image/png"
                onChange={(event) => setFile(event.currentTarget.files?.[0] ?? null)}
                style={{ display: 'block', marginTop: 4 }}
              />
            </Input.Wrapper>
            <Button type="submit" disabled={!file || tooBig} loading={upload.isPending}>
              {t('documents.submit')}
            </Button>
          </Group>
          {uploadError && (
            <Alert color="red" role="alert" mt="xs">
              {uploadError}
            </Alert>
          )}
        </form>
      )}
      {documents.isError && <WorkUnavailable error={documents.error} />}
      {downloadFailed && (
        <Alert color="red" role="alert">
          {t('common.unavailable')}
        </Alert>
      )}
      {documents.data && documents.data.items.length === 0 && <Text c="dimmed">{t('documents.none')}</Text>}
      {documents.data && documents.data.items.length > 0 && (
        <Table data-testid="documents">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{t('documents.name')}</Table.Th>
              <Table.Th scope="col">{t('documents.section')}</Table.Th>
              <Table.Th scope="col">{t('documents.size')}</Table.Th>
              <Table.Th scope="col">{t('documents.added')}</Table.Th>
              <Table.Th scope="col">
                <VisuallyHidden>{t('documents.actions')}</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {documents.data.items.map((document) => (
              <Table.Tr key={document.id}>
                <Table.Td>{document.name}</Table.Td>
                <Table.Td>{label.section(t, document.section)}</Table.Td>
                <Table.Td>{size(document.size)}</Table.Td>
                <Table.Td>
                  <FormattedDate value={document.createdAt} dateStyle="medium" timeStyle="short" />
                </Table.Td>
                <Table.Td>
                  <Button size="xs" variant="default" onClick={() => download(document)} aria-label={t('documents.downloadNamed', { name: document.name })}>
                    {t('documents.download')}
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
