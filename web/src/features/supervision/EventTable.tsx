import { Anchor, Badge, Button, Table, Text } from '@mantine/core';
import { FormattedDate } from 'react-intl';
import { Link } from 'react-router';
import { useT } from '../../i18n/i18n';
import type { AuditEvent } from './types';

/**
 * Audit events as a supervisor reads them: who (name, organisation, role), what, on which case
 * (its reference), the outcome and the request. Ids, never case content: the API sends none.
 */
export function EventTable({ events, caption, showCase = true }: { events: AuditEvent[]; caption: string; showCase?: boolean }) {
  const t = useT();
  return (
    <Table.ScrollContainer minWidth={860}>
      <Table striped highlightOnHover data-testid="audit-events">
        <Table.Caption>{caption}</Table.Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">{t('sv.event.at')}</Table.Th>
            <Table.Th scope="col">{t('sv.event.actor')}</Table.Th>
            <Table.Th scope="col">{t('sv.event.action')}</Table.Th>
            {showCase && <Table.Th scope="col">{t('sv.event.case')}</Table.Th>}
            <Table.Th scope="col">{t('sv.event.outcome')}</Table.Th>
            <Table.Th scope="col">{t('sv.event.details')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {events.map((event) => (
            <Table.Tr key={event.id}>
              <Table.Td>
                <FormattedDate value={event.at} dateStyle="medium" timeStyle="medium" />
              </Table.Td>
              <Table.Td>
                <Text size="sm" fw={600}>
                  {event.actor.name ?? t('sv.event.unknownActor')}
                </Text>
                <Text size="xs" c="dimmed">
                  {[event.actor.organisationName, event.actor.role].filter(Boolean).join(' · ')}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm" ff="monospace">
                  {event.action}
                </Text>
                {event.sections && event.sections.length > 0 && (
                  <Text size="xs" c="dimmed">
                    {event.sections.join(', ')}
                  </Text>
                )}
              </Table.Td>
              {showCase && (
                <Table.Td>
                  {event.caseId ? (
                    <Anchor component={Link} to={`/cases/${event.caseId}/access-log`} ff="monospace" size="sm">
                      {event.caseReference ?? t('sv.event.caseWithoutReference')}
                    </Anchor>
                  ) : (
                    '—'
                  )}
                </Table.Td>
              )}
              <Table.Td miw={110}>
                <Badge color={event.outcome === 'allowed' ? 'teal.9' : 'red.9'} variant="filled" styles={{ label: { overflow: 'visible' } }}>
                  {event.outcome === 'allowed' ? t('sv.outcome.allowed') : t('sv.outcome.denied')}
                </Badge>
              </Table.Td>
              <Table.Td>
                {event.legalBasis && <Text size="xs">{t('sv.event.legalBasis', { basis: event.legalBasis })}</Text>}
                {event.justification && <Text size="xs">{t('sv.event.justification', { text: event.justification })}</Text>}
                <Text size="xs" c="dimmed" ff="monospace">
                  {[event.ip, event.requestId].filter(Boolean).join(' · ')}
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

export function MoreButton({ hasMore, loading, onMore }: { hasMore: boolean; loading: boolean; onMore: () => void }) {
  const t = useT();
  if (!hasMore) return null;
  return (
    <Button variant="default" onClick={onMore} loading={loading} w="fit-content">
      {t('common.more')}
    </Button>
  );
}
