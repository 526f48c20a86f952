import { Alert, Button, Group, Select, Stack, Table, Text, Textarea, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { FormattedDate } from 'react-intl';
import { statusOf } from '../../api/errors';
import type { SectionName } from '../../api/types';
import { useT, type Translate } from '../../i18n/i18n';
import { useUpdateSection } from './hooks';
import { SECTION_FIELDS, type FieldSpec } from './sections';

type SectionData = Record<string, unknown> & { version: number };

function display(t: Translate, field: FieldSpec, value: unknown) {
  if (value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0)) return <Text c="dimmed">—</Text>;
  const options = field.options?.(t);
  const named = (item: unknown) => options?.find((option) => option.value === item)?.label ?? String(item);
  if (field.kind === 'boolean') return value ? t('common.yes') : t('common.no');
  if (field.kind === 'date' && typeof value === 'string') return <FormattedDate value={`${value}T00:00:00Z`} dateStyle="long" timeZone="UTC" />;
  if (Array.isArray(value)) return value.map(named).join(', ');
  return named(value);
}

function toText(value: unknown): string {
  if (Array.isArray(value)) return value.join(', ');
  return typeof value === 'string' ? value : '';
}

function fromText(field: FieldSpec, text: string): unknown {
  if (field.kind === 'list') {
    const items = text
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
    return items.length > 0 ? items : null;
  }
  return text.trim() === '' ? null : text.trim();
}

/** One section of the case file: read view, and an editor when the user may write it. */
export function SectionPanel({
  caseId,
  section,
  data,
  canWrite,
  onReload,
}: {
  caseId: string;
  section: SectionName;
  data: SectionData;
  canWrite: boolean;
  onReload: () => void;
}) {
  const t = useT();
  const fields = SECTION_FIELDS[section];
  const update = useUpdateSection(caseId);
  const [editing, setEditing] = useState(false);
  const [form, setForm] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);

  const start = () => {
    setForm(Object.fromEntries(fields.filter((field) => !field.readOnly).map((field) => [field.name, toText(data[field.name])])));
    update.reset();
    setSaved(false);
    setEditing(true);
  };

  const save = (event: FormEvent) => {
    event.preventDefault();
    const changes: Record<string, unknown> = {};
    for (const field of fields) {
      if (field.readOnly) continue;
      if (form[field.name] !== toText(data[field.name])) changes[field.name] = fromText(field, form[field.name] ?? '');
    }
    if (Object.keys(changes).length === 0) {
      setEditing(false);
      return;
    }
    update.mutate(
      { section, version: data.version, data: changes },
      {
        onSuccess: () => {
          setEditing(false);
          setSaved(true);
        },
      },
    );
  };

  const conflict = statusOf(update.error) === 409;

  if (editing) {
    return (
      <form onSubmit={save} noValidate aria-label={t('case.editSection', { section: t(`section.${section}`) })}>
        <Stack maw={640}>
          {conflict && (
            <Alert color="orange" role="alert" title={t('case.conflictTitle')} data-testid="conflict">
              <Stack gap="xs">
                <Text size="sm">{t('case.conflictBody')}</Text>
                <Button
                  size="xs"
                  variant="white"
                  w="fit-content"
                  onClick={() => {
                    onReload();
                    setEditing(false);
                  }}
                >
                  {t('case.conflictReload')}
                </Button>
              </Stack>
            </Alert>
          )}
          {update.isError && !conflict && (
            <Alert color="red" role="alert">
              {statusOf(update.error) === 400 ? t('case.invalid') : t('common.unavailable')}
            </Alert>
          )}
          {fields
            .filter((field) => !field.readOnly)
            .map((field) => {
              const common = { key: field.name, label: t(field.label), value: form[field.name] ?? '' };
              const change = (value: string) => setForm((current) => ({ ...current, [field.name]: value }));
              if (field.kind === 'select')
                return (
                  <Select {...common} clearable data={field.options?.(t) ?? []} value={form[field.name] || null} onChange={(value) => change(value ?? '')} />
                );
              if (field.kind === 'textarea') return <Textarea {...common} autosize minRows={3} onChange={(e) => change(e.currentTarget.value)} />;
              return (
                <TextInput
                  {...common}
                  type={field.kind === 'date' ? 'date' : 'text'}
                  description={field.kind === 'list' ? t('case.listHint') : undefined}
                  autoComplete="off"
                  onChange={(e) => change(e.currentTarget.value)}
                />
              );
            })}
          <Group>
            <Button type="submit" loading={update.isPending} disabled={conflict}>
              {t('common.save')}
            </Button>
            <Button variant="default" onClick={() => setEditing(false)}>
              {t('common.cancel')}
            </Button>
          </Group>
        </Stack>
      </form>
    );
  }

  return (
    <Stack>
      {saved && (
        <Alert color="green" role="status">
          {t('case.saved')}
        </Alert>
      )}
      <Table variant="vertical" layout="fixed" maw={760} withTableBorder>
        <Table.Tbody>
          {fields.map((field) => (
            <Table.Tr key={field.name}>
              <Table.Th w={240} scope="row">
                {t(field.label)}
              </Table.Th>
              <Table.Td>{display(t, field, data[field.name])}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {canWrite && (
        <Button variant="light" w="fit-content" onClick={start}>
          {t('case.editSection', { section: t(`section.${section}`) })}
        </Button>
      )}
    </Stack>
  );
}
