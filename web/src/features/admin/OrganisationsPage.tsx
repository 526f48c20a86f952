import { Alert, Badge, Button, Checkbox, Group, NumberInput, Paper, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useT } from '../../i18n/i18n';
import { Pending } from '../../shell/Pending';
import { usePageTitle } from '../../shell/usePageTitle';
import { type AdminOrganisation, type OrganisationType, useAllOrganisations, useChangeOrganisation, useCreateOrganisation } from './hooks';
import { adminProblem } from './UsersPage';

const TYPES: OrganisationType[] = ['police', 'prosecution', 'labour_inspection', 'reception_centre', 'migration', 'oversight'];
const COUNTRIES = ['BE', 'NL', 'LU'] as const;

function CreateForm() {
  const t = useT();
  const create = useCreateOrganisation();
  const [name, setName] = useState('');
  const [slug, setSlug] = useState('');
  const [type, setType] = useState<OrganisationType | null>(null);
  const [country, setCountry] = useState<(typeof COUNTRIES)[number] | null>(null);
  const [beds, setBeds] = useState<number | string>(0);
  const [minors, setMinors] = useState(false);
  const [adminName, setAdminName] = useState('');
  const [adminEmail, setAdminEmail] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const centre = type === 'reception_centre';
  const ready = name.trim() && slug.trim() && type && country && adminName.trim() && adminEmail.trim();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!type || !country) return;
    setDone(null);
    create.mutate(
      {
        name: name.trim(),
        slug: slug.trim(),
        type,
        country,
        ...(centre ? { bedsTotal: Number(beds) || 0, acceptsMinors: minors } : {}),
        admin: { name: adminName.trim(), email: adminEmail.trim() },
      },
      {
        onSuccess: (created) => {
          setDone(t('admin.organisations.created', { name: created.name, email: created.admin.email }));
          setName('');
          setSlug('');
          setAdminName('');
          setAdminEmail('');
        },
      },
    );
  };

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="new-organisation-heading">
      <form onSubmit={submit} noValidate>
        <Stack>
          <Title order={2} size="h3" id="new-organisation-heading">
            {t('admin.organisations.create')}
          </Title>
          <Group align="flex-start" wrap="wrap">
            <TextInput label={t('admin.organisations.name')} required value={name} onChange={(e) => setName(e.currentTarget.value)} />
            <TextInput
              label={t('admin.organisations.slug')}
              description={t('admin.organisations.slugHint')}
              required
              value={slug}
              onChange={(e) => setSlug(e.currentTarget.value.toLowerCase())}
            />
            <Select
              label={t('admin.organisations.type')}
              required
              value={type}
              onChange={(value) => setType(value as OrganisationType | null)}
              data={TYPES.map((value) => ({ value, label: t(`admin.orgType.${value}`) }))}
            />
            <Select
              label={t('admin.organisations.country')}
              required
              value={country}
              onChange={(value) => setCountry(value as (typeof COUNTRIES)[number] | null)}
              data={COUNTRIES.map((value) => ({ value, label: t(`country.${value}`) }))}
            />
          </Group>
          {centre && (
            <Group align="flex-end">
              <NumberInput label={t('admin.organisations.beds')} min={0} max={10000} value={beds} onChange={setBeds} w={160} />
              <Checkbox label={t('admin.organisations.acceptsMinors')} checked={minors} onChange={(e) => setMinors(e.currentTarget.checked)} />
            </Group>
          )}
          <Text size="sm">{t('admin.organisations.firstAdminHint')}</Text>
          <Group align="flex-end" wrap="wrap">
            <TextInput label={t('admin.organisations.adminName')} required value={adminName} onChange={(e) => setAdminName(e.currentTarget.value)} />
            <TextInput
              label={t('admin.organisations.adminEmail')}
              type="email"
              required
              value={adminEmail}
              onChange={(e) => setAdminEmail(e.currentTarget.value)}
            />
            <Button type="submit" loading={create.isPending} disabled={!ready}>
              {t('admin.organisations.createSubmit')}
            </Button>
          </Group>
          {done && (
            <Alert color="teal" role="status">
              {done}
            </Alert>
          )}
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

function OrganisationRow({ organisation }: { organisation: AdminOrganisation }) {
  const t = useT();
  const change = useChangeOrganisation();
  const [beds, setBeds] = useState<number | string>(organisation.bedsTotal ?? 0);
  const centre = organisation.type === 'reception_centre';
  return (
    <Table.Tr>
      <Table.Td>
        {organisation.name}
        <Text size="xs" c="dimmed">
          {organisation.slug}
        </Text>
      </Table.Td>
      <Table.Td>{t(`admin.orgType.${organisation.type}`)}</Table.Td>
      <Table.Td>{organisation.country ?? '—'}</Table.Td>
      <Table.Td>
        {centre ? (
          <Group gap="xs" wrap="nowrap" align="flex-end">
            <NumberInput
              aria-label={t('admin.organisations.bedsOf', { name: organisation.name })}
              size="xs"
              w={90}
              min={0}
              max={10000}
              value={beds}
              onChange={setBeds}
            />
            <Text size="xs">{t('admin.organisations.free', { count: organisation.bedsAvailable ?? 0 })}</Text>
            {Number(beds) !== organisation.bedsTotal && (
              <Button size="xs" variant="default" onClick={() => change.mutate({ id: organisation.id, change: { bedsTotal: Number(beds) || 0 } })}>
                {t('common.save')}
              </Button>
            )}
          </Group>
        ) : (
          '—'
        )}
      </Table.Td>
      <Table.Td>
        {centre ? (
          <Checkbox
            aria-label={t('admin.organisations.minorsOf', { name: organisation.name })}
            checked={organisation.acceptsMinors ?? false}
            onChange={(e) => change.mutate({ id: organisation.id, change: { acceptsMinors: e.currentTarget.checked } })}
          />
        ) : (
          '—'
        )}
      </Table.Td>
      <Table.Td miw={120}>
        <Badge color={organisation.active ? 'teal.9' : 'gray.7'} variant="filled">
          {organisation.active ? t('admin.users.active') : t('admin.users.inactive')}
        </Badge>
      </Table.Td>
      <Table.Td>
        {organisation.type !== 'platform' && (
          <Button
            size="xs"
            variant="default"
            loading={change.isPending}
            aria-label={
              organisation.active ? t('admin.users.deactivateWho', { name: organisation.name }) : t('admin.users.reactivateWho', { name: organisation.name })
            }
            onClick={() => change.mutate({ id: organisation.id, change: { active: !organisation.active } })}
          >
            {organisation.active ? t('admin.users.deactivate') : t('admin.users.reactivate')}
          </Button>
        )}
        {change.isError && (
          <Text size="xs" c="red.9" role="alert">
            {adminProblem(t, change.error)}
          </Text>
        )}
      </Table.Td>
    </Table.Tr>
  );
}

export default function OrganisationsPage() {
  const t = useT();
  usePageTitle(t('admin.organisations.title'));
  const organisations = useAllOrganisations();
  return (
    <Stack>
      <Title order={1}>{t('admin.organisations.title')}</Title>
      <CreateForm />
      {organisations.isPending && <Pending />}
      {organisations.isError && <Alert color="red">{t('common.unavailable')}</Alert>}
      {organisations.data && (
        <Table striped>
          <Table.Caption>{t('admin.organisations.caption', { count: organisations.data.items.length })}</Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{t('admin.organisations.name')}</Table.Th>
              <Table.Th scope="col">{t('admin.organisations.type')}</Table.Th>
              <Table.Th scope="col">{t('admin.organisations.country')}</Table.Th>
              <Table.Th scope="col">{t('admin.organisations.beds')}</Table.Th>
              <Table.Th scope="col">{t('admin.organisations.acceptsMinors')}</Table.Th>
              <Table.Th scope="col">{t('admin.users.status')}</Table.Th>
              <Table.Th scope="col">{t('admin.actions')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {organisations.data.items.map((organisation) => (
              <OrganisationRow key={organisation.id} organisation={organisation} />
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
