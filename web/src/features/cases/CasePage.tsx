import { Alert, Badge, Button, Group, Stack, Tabs, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useLocation, useNavigate, useParams } from 'react-router';
import { statusOf } from '../../api/errors';
import { asCountry, type CaseView, type IdentityMatch, type SectionName } from '../../api/types';
import { useT } from '../../i18n/i18n';
import { label } from '../../i18n/labels';
import { Pending } from '../../shell/Pending';
import { isOperational, useMe } from '../../shell/useMe';
import { usePageTitle } from '../../shell/usePageTitle';
import { AccessDialog, BreakGlassForm, CaseReferrals, CloseDialog, EndPlacement, ReflectionPeriod } from './CaseExtras';
import { CaseDocuments, CaseTasks, ClosureBanner, DuplicateWarning, NotesTimeline, ReopenDialog } from './CaseWork';
import { AnonymisedCase, LegalHoldPanel, SubjectReportButton } from './CaseRights';
import { useCase } from './hooks';
import { ReferDialog, type ConsentDraft } from './ReferDialog';
import { SectionPanel } from './SectionPanel';
import { SECTION_ORDER } from './sections';

interface ArrivalState {
  refer?: boolean;
  consent?: ConsentDraft | null;
  /** Other agencies' open cases for the same person, from the create answer: whom to contact. */
  duplicates?: IdentityMatch[];
}

function readableSections(kase: CaseView): SectionName[] {
  return SECTION_ORDER.filter((section) => kase[section] !== undefined);
}

export default function CasePage() {
  const { id = '' } = useParams();
  const t = useT();
  const me = useMe();
  const location = useLocation();
  const navigate = useNavigate();
  const [arrival] = useState(() => (location.state ?? {}) as ArrivalState);
  const kase = useCase(id);
  // With a possible duplicate, the officer contacts the other agency first instead of referring at once.
  const [referOpen, setReferOpen] = useState(arrival.refer === true && !arrival.duplicates?.length);
  // The hand-over from the guided form is used once: a reload or "back" must not reopen the dialog.
  useEffect(() => {
    if (location.state) void navigate(location.pathname, { replace: true, state: null });
  }, [location.state, location.pathname, navigate]);
  const [accessOpen, setAccessOpen] = useState(false);
  const [closeOpen, setCloseOpen] = useState(false);
  const [reopenOpen, setReopenOpen] = useState(false);
  const [tab, setTab] = useState<string | null>('summary');
  usePageTitle(kase.data ? t('case.pageTitle', { reference: kase.data.reference }) : t('case.title'));

  if (kase.isPending) return <Pending />;
  if (kase.isError) {
    if (statusOf(kase.error) === 410) return <AnonymisedCase />;
    if (statusOf(kase.error) === 404 && me.data && isOperational(me.data.role)) return <BreakGlassForm caseId={id} />;
    return <Alert color="red">{statusOf(kase.error) === 404 ? t('case.notFound') : t('common.unavailable')}</Alert>;
  }
  const data = kase.data;
  const sections = readableSections(data);
  const actions = data.permissions.actions;
  const open = data.status === 'open';
  const closing = open && data.closure?.status === 'pending';
  // The victim's report is produced by the lead organisation (API.md); supervisors never see the case at all.
  const leads = me.data?.organisation.id === data.leadOrganisationId;

  return (
    <Stack>
      <Group justify="space-between" align="flex-start">
        <Stack gap={4}>
          <Title order={1}>
            {t('case.title')} <span style={{ fontFamily: 'monospace' }}>{data.reference}</span>
          </Title>
          <Group gap="xs">
            <Badge color={closing ? 'red.9' : open ? 'teal.9' : 'gray.7'} variant="filled" data-testid="case-status">
              {closing ? t('closure.closing') : label.caseStatus(t, data.status)}
            </Badge>
            <Text size="sm">{t(`country.${asCountry(data.country) ?? 'BE'}`)}</Text>
            {data.summary?.minor && (
              <Badge color="violet.9" variant="filled">
                {t('field.minor')}
              </Badge>
            )}
          </Group>
        </Stack>
        <Group>
          {open && actions.includes('refer') && <Button onClick={() => setReferOpen(true)}>{t('case.refer')}</Button>}
          <Button variant="default" onClick={() => setAccessOpen(true)}>
            {t('case.why')}
          </Button>
          {leads && <SubjectReportButton kase={data} />}
          {open && !closing && actions.includes('close') && (
            <Button variant="default" color="red.8" onClick={() => setCloseOpen(true)}>
              {t('case.close')}
            </Button>
          )}
          {!open && actions.includes('reopen') && (
            <Button variant="default" onClick={() => setReopenOpen(true)}>
              {t('reopen.open')}
            </Button>
          )}
        </Group>
      </Group>
      {arrival.duplicates && arrival.duplicates.length > 0 && <DuplicateWarning matches={arrival.duplicates} />}
      {!open && <Alert color="gray">{t('case.closedNote')}</Alert>}
      <ClosureBanner kase={data} />
      <Tabs value={tab} onChange={setTab} keepMounted={false}>
        <Tabs.List aria-label={t('case.sections')}>
          {sections.map((section) => (
            <Tabs.Tab key={section} value={section}>
              {label.section(t, section)}
              {data.permissions.sections[section] === 'read' && (
                <Text component="span" size="xs" c="dimmed" ml={6}>
                  ({label.access(t, 'read')})
                </Text>
              )}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        {sections.map((section) => {
          const sectionData = data[section];
          if (!sectionData) return null;
          const canWrite = open && data.permissions.sections[section] === 'write';
          return (
            <Tabs.Panel key={section} value={section} pt="md">
              <Stack gap="lg">
                <SectionPanel caseId={data.id} section={section} data={sectionData} canWrite={canWrite} onReload={() => void kase.refetch()} />
                {section === 'immigration' && <ReflectionPeriod kase={data} canStart={canWrite && me.data?.role === 'migration_officer'} />}
                {section === 'care' && canWrite && me.data?.role === 'caseworker' && <EndPlacement caseId={data.id} />}
              </Stack>
            </Tabs.Panel>
          );
        })}
      </Tabs>
      <LegalHoldPanel kase={data} />
      <CaseReferrals caseId={data.id} />
      <NotesTimeline caseId={data.id} canAdd={open} />
      <CaseTasks caseId={data.id} canAdd={open} />
      <CaseDocuments kase={data} canUpload={open} />
      {referOpen && <ReferDialog opened onClose={() => setReferOpen(false)} kase={data} consent={arrival.consent ?? null} />}
      <AccessDialog opened={accessOpen} onClose={() => setAccessOpen(false)} kase={data} />
      {closeOpen && <CloseDialog opened onClose={() => setCloseOpen(false)} kase={data} />}
      {reopenOpen && <ReopenDialog opened onClose={() => setReopenOpen(false)} kase={data} />}
    </Stack>
  );
}
