import { Alert, Badge, Button, Group, Paper, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { FormattedDate } from 'react-intl';
import { ApiError } from '../../api/errors';
import { useT, type Translate } from '../../i18n/i18n';
import { Pending } from '../../shell/Pending';
import { useMe } from '../../shell/useMe';
import { usePageTitle } from '../../shell/usePageTitle';
import { type AdminUser, type OrganisationType, type Role, rolesFor, useChangeUser, useInviteUser, useReinviteUser, useUsers } from './hooks';

/** A failed admin change, in the user's language: the API's problem type picks the message. */
export function adminProblem(t: Translate, error: unknown): string {
  if (!(error instanceof ApiError)) return t('common.unavailable');
  const type = error.problem?.type ?? '';
  if (type.endsWith('/email-taken')) return t('admin.error.emailTaken');
  if (type.endsWith('/last-org-admin')) return t('admin.error.lastAdmin');
  if (type.endsWith('/slug-taken')) return t('admin.error.slugTaken');
  if (error.status === 400) return t('admin.error.invalid');
  if (error.status === 403) return t('admin.error.forbidden');
  return t('common.unavailable');
}

function InviteForm({ roles }: { roles: Role[] }) {
  const t = useT();
  const invite = useInviteUser();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role | null>(null);
  const [sentTo, setSentTo] = useState<string | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!role) return;
    setSentTo(null);
    invite.mutate(
      { name: name.trim(), email: email.trim(), role },
      {
        onSuccess: (user) => {
          setSentTo(user.email);
          setName('');
          setEmail('');
          setRole(null);
        },
      },
    );
  };

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="invite-heading">
      <form onSubmit={submit} noValidate>
        <Stack>
          <Title order={2} size="h3" id="invite-heading">
            {t('admin.users.invite')}
          </Title>
          <Text size="sm">{t('admin.users.inviteHint')}</Text>
          <Group align="flex-end" wrap="wrap">
            <TextInput label={t('admin.users.name')} required value={name} onChange={(e) => setName(e.currentTarget.value)} autoComplete="off" />
            <TextInput
              label={t('admin.users.email')}
              type="email"
              required
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
              autoComplete="off"
            />
            <Select
              label={t('admin.users.role')}
              required
              value={role}
              onChange={(value) => setRole(value as Role | null)}
              data={roles.map((value) => ({ value, label: t(`admin.role.${value}`) }))}
            />
            <Button type="submit" loading={invite.isPending} disabled={!name.trim() || !email.trim() || !role}>
              {t('admin.users.sendInvite')}
            </Button>
          </Group>
          {sentTo && (
            <Alert color="teal" role="status">
              {t('admin.users.invited', { email: sentTo })}
            </Alert>
          )}
          {invite.isError && (
            <Alert color="red" role="alert">
              {adminProblem(t, invite.error)}
            </Alert>
          )}
        </Stack>
      </form>
    </Paper>
  );
}

function Status({ user }: { user: AdminUser }) {
  const t = useT();
  if (!user.active)
    return (
      <Badge color="gray.7" variant="filled">
        {t('admin.users.inactive')}
      </Badge>
    );
  if (user.invitedUntil) {
    const expired = Date.parse(user.invitedUntil) < Date.now();
    return (
      <Stack gap={2}>
        <Badge color={expired ? 'red.9' : 'indigo.9'} variant="filled">
          {expired ? t('admin.users.invitationExpired') : t('admin.users.invitedBadge')}
        </Badge>
        {!expired && (
          <Text size="xs">
            {t('admin.users.until')} <FormattedDate value={user.invitedUntil} dateStyle="medium" timeStyle="short" />
          </Text>
        )}
      </Stack>
    );
  }
  return (
    <Badge color="teal.9" variant="filled">
      {t('admin.users.active')}
    </Badge>
  );
}

function UserRow({ user, self, roles }: { user: AdminUser; self: boolean; roles: Role[] }) {
  const t = useT();
  const change = useChangeUser();
  const reinvite = useReinviteUser();
  const options = (roles.includes(user.role) ? roles : [user.role, ...roles]).map((value) => ({ value, label: t(`admin.role.${value}`) }));
  return (
    <Table.Tr>
      <Table.Td>
        {user.name}
        {self && (
          <Text size="xs" c="dimmed">
            {t('admin.users.you')}
          </Text>
        )}
      </Table.Td>
      <Table.Td>{user.email}</Table.Td>
      <Table.Td>
        <Select
          aria-label={t('admin.users.roleOf', { name: user.name })}
          size="xs"
          allowDeselect={false}
          value={user.role}
          data={options}
          disabled={self || !user.active || user.role === 'platform_admin'}
          description={self ? t('admin.users.ownRole') : undefined}
          onChange={(value) => value && value !== user.role && change.mutate({ id: user.id, change: { role: value as Role } })}
        />
      </Table.Td>
      <Table.Td>
        <Status user={user} />
      </Table.Td>
      <Table.Td>
        <Group gap="xs" wrap="nowrap">
          {!self && (
            <Button
              size="xs"
              variant="default"
              loading={change.isPending}
              onClick={() => change.mutate({ id: user.id, change: { active: !user.active } })}
              aria-label={user.active ? t('admin.users.deactivateWho', { name: user.name }) : t('admin.users.reactivateWho', { name: user.name })}
            >
              {user.active ? t('admin.users.deactivate') : t('admin.users.reactivate')}
            </Button>
          )}
          {user.active && user.invitedUntil && (
            <Button size="xs" variant="default" loading={reinvite.isPending} onClick={() => reinvite.mutate(user.id)}>
              {t('admin.users.resend')}
            </Button>
          )}
        </Group>
        {(change.isError || reinvite.isError) && (
          <Text size="xs" c="red.9" role="alert">
            {adminProblem(t, change.error ?? reinvite.error)}
          </Text>
        )}
        {reinvite.isSuccess && (
          <Text size="xs" role="status">
            {t('admin.users.resent')}
          </Text>
        )}
      </Table.Td>
    </Table.Tr>
  );
}

export default function UsersPage() {
  const t = useT();
  usePageTitle(t('admin.users.title'));
  const me = useMe();
  const users = useUsers();
  const items = (users.data?.pages ?? []).flatMap((page) => page.items);
  if (!me.data) return <Pending />;
  const roles = rolesFor(me.data.organisation.type as OrganisationType);
  return (
    <Stack>
      <Title order={1}>{t('admin.users.title')}</Title>
      <InviteForm roles={roles} />
      {users.isPending && <Pending />}
      {users.isError && <Alert color="red">{t('common.unavailable')}</Alert>}
      {items.length > 0 && (
        <Table striped>
          <Table.Caption>{t('admin.users.caption', { organisation: me.data.organisation.name })}</Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{t('admin.users.name')}</Table.Th>
              <Table.Th scope="col">{t('admin.users.email')}</Table.Th>
              <Table.Th scope="col">{t('admin.users.role')}</Table.Th>
              <Table.Th scope="col">{t('admin.users.status')}</Table.Th>
              <Table.Th scope="col">{t('admin.actions')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((user) => (
              <UserRow key={user.id} user={user} self={user.id === me.data.id} roles={roles} />
            ))}
          </Table.Tbody>
        </Table>
      )}
      {users.hasNextPage && (
        <Button variant="default" onClick={() => void users.fetchNextPage()} loading={users.isFetchingNextPage} w="fit-content">
          {t('common.more')}
        </Button>
      )}
    </Stack>
  );
}
