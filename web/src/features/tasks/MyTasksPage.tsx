import { Alert, Anchor, Button, Stack, Table, Text, Title } from '@mantine/core';
import { FormattedDate } from 'react-intl';
import { Link } from 'react-router';
import { useT } from '../../i18n/i18n';
import { Pending } from '../../shell/Pending';
import { usePageTitle } from '../../shell/usePageTitle';
import { useMyTasks, useSetTaskStatus } from '../cases/workHooks';

/** GET /api/tasks?assignee=me&status=open: the caller's open tasks, soonest due first, each marked done here. */
export default function MyTasksPage() {
  const t = useT();
  usePageTitle(t('myTasks.title'));
  const tasks = useMyTasks();
  const setStatus = useSetTaskStatus();
  const now = Date.now();

  return (
    <Stack>
      <Title order={1}>{t('myTasks.title')}</Title>
      {tasks.isPending && <Pending />}
      {tasks.isError && <Alert color="red">{t('common.unavailable')}</Alert>}
      {setStatus.isError && (
        <Alert color="red" role="alert">
          {t('common.unavailable')}
        </Alert>
      )}
      {tasks.data && tasks.data.items.length === 0 && <Text c="dimmed">{t('myTasks.none')}</Text>}
      {tasks.data && tasks.data.items.length > 0 && (
        <Table>
          <Table.Caption>{t('myTasks.caption', { count: tasks.data.items.length })}</Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{t('tasks.taskTitle')}</Table.Th>
              <Table.Th scope="col">{t('case.reference')}</Table.Th>
              <Table.Th scope="col">{t('tasks.due')}</Table.Th>
              <Table.Th scope="col">{t('tasks.status')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {tasks.data.items.map((task) => (
              <Table.Tr key={task.id}>
                <Table.Td>{task.title}</Table.Td>
                <Table.Td>
                  <Anchor component={Link} to={`/cases/${task.caseId}`} ff="monospace">
                    {task.caseReference}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <FormattedDate value={task.dueAt} dateStyle="medium" timeStyle="short" />
                  {Date.parse(task.dueAt) < now && (
                    <Text component="span" size="sm" c="red.9" fw={600} ml={6}>
                      {t('myTasks.overdue')}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Button
                    size="xs"
                    variant="default"
                    loading={setStatus.isPending && setStatus.variables?.id === task.id}
                    onClick={() => setStatus.mutate({ id: task.id, status: 'done' })}
                    aria-label={t('myTasks.markDoneNamed', { title: task.title })}
                  >
                    {t('myTasks.markDone')}
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
