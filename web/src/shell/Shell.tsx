import { Alert, AppShell, Badge, Burger, Button, Center, Group, NavLink, Select, Stack, Text, VisuallyHidden } from '@mantine/core';
import { useDisclosure, useIdle } from '@mantine/hooks';
import { useEffect, type ReactNode } from 'react';
import { Link, useLocation } from 'react-router';
import { useUnreadCount } from '../features/inbox/hooks';
import { useUnreadStream } from '../features/inbox/useUnreadStream';
import { isLanguage, LANGUAGES, useLanguage, useT, type Language } from '../i18n/i18n';
import { session } from '../session/session';
import { canOpenCases, isOperational, useMe, useSaveLanguage } from './useMe';
import { Pending } from './Pending';

/** PRODUCT.md: idle sign-out after 15 minutes, for a browser left open beside someone else. */
const IDLE_SIGN_OUT_MS = 15 * 60_000;

const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', nl: 'Nederlands', fr: 'Français', de: 'Deutsch' };

/** Shows the chosen language at once and saves it (PATCH /api/me), so it follows the user to the next sign-in and into e-mails. */
function LanguageSwitch() {
  const t = useT();
  const { language, setLanguage } = useLanguage();
  const save = useSaveLanguage();
  return (
    <Select
      label={t('shell.language')}
      size="xs"
      w={130}
      allowDeselect={false}
      value={language}
      data={LANGUAGES.map((value) => ({ value, label: LANGUAGE_NAMES[value] }))}
      onChange={(value) => {
        if (!isLanguage(value)) return;
        setLanguage(value);
        save.mutate(value);
      }}
    />
  );
}

interface NavItem {
  to: string;
  label: string;
  badge?: number;
  /** Active on this path only, not on the paths below it. */
  exact?: boolean;
}

export function Shell({ children }: { children: ReactNode }) {
  const t = useT();
  const [opened, { toggle, close }] = useDisclosure(false);
  const location = useLocation();
  const me = useMe();
  const unread = useUnreadCount(useUnreadStream());
  const idle = useIdle(IDLE_SIGN_OUT_MS, { initialState: false });
  const { setLanguage } = useLanguage();
  const savedLanguage = me.data?.language;

  // After sign-in (and whenever the saved choice changes) the app speaks the user's saved language.
  useEffect(() => {
    if (savedLanguage) setLanguage(savedLanguage);
  }, [savedLanguage, setLanguage]);

  useEffect(() => {
    if (idle) void session.signOut('idle');
  }, [idle]);
  useEffect(close, [location.pathname, close]);

  if (me.isError)
    return (
      <Center h="60vh">
        <Stack>
          <Alert color="red" role="alert">
            {t('common.unavailable')}
          </Alert>
          <Button variant="default" onClick={() => void me.refetch()}>
            {t('common.retry')}
          </Button>
        </Stack>
      </Center>
    );
  if (!me.data) return <Pending />;
  const role = me.data.role;
  const items: NavItem[] = [];
  if (isOperational(role)) {
    items.push({ to: '/cases', label: role === 'prosecutor' ? t('nav.casesToReview') : t('nav.cases') });
    if (canOpenCases(role)) items.push({ to: '/cases/new', label: t('nav.newCase') });
    items.push({ to: '/referrals', label: role === 'caseworker' || role === 'prosecutor' ? t('nav.incomingReferrals') : t('nav.referrals') });
    items.push({ to: '/tasks', label: t('nav.myTasks') });
  }
  // Supervision console (issue 11): supervisors and oversight audit and read statistics, never case files.
  if (role === 'supervisor') {
    items.push(
      { to: '/audit', label: t('sv.nav.audit'), exact: true },
      { to: '/audit/access-log', label: t('sv.nav.accessLog') },
      { to: '/audit/break-glass', label: t('sv.nav.breakGlass') },
      { to: '/audit/log', label: t('sv.nav.log') },
      { to: '/statistics', label: t('sv.nav.statistics') },
    );
  }
  // Administration console (issue 11): only for the admin roles.
  if (role === 'org_admin') items.push({ to: '/admin/users', label: t('nav.adminUsers') }, { to: '/admin/webhooks', label: t('nav.adminWebhooks') });
  if (role === 'platform_admin') items.push({ to: '/admin/organisations', label: t('nav.adminOrganisations') });
  items.push({ to: '/inbox', label: t('nav.inbox'), badge: unread.data ?? 0 });

  const path = location.pathname;
  const active = (to: string, exact = false) =>
    path === to ||
    (!exact &&
      (to === '/cases'
        ? path.startsWith('/cases/') && path !== '/cases/new' && !path.endsWith('/access-log')
        : path.startsWith(`${to}/`) || (to === '/audit/access-log' && /^\/cases\/[^/]+\/access-log$/.test(path))));

  return (
    <AppShell header={{ height: 64 }} navbar={{ width: 240, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t('shell.menu')} />
            <Text fw={700} size="lg">
              Passage
            </Text>
            <Text size="sm" c="dimmed" visibleFrom="md">
              {me.data.name} · {me.data.organisation.name}
            </Text>
          </Group>
          <Group wrap="nowrap" align="flex-end" gap="sm">
            <LanguageSwitch />
            <Button variant="default" size="xs" onClick={() => void session.signOut('user')}>
              {t('shell.signOut')}
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm" component="nav" aria-label={t('shell.navigation')}>
        {items.map((item) => (
          <NavLink
            key={item.to}
            component={Link}
            to={item.to}
            label={item.label}
            active={active(item.to, item.exact)}
            variant="filled"
            aria-current={active(item.to, item.exact) ? 'page' : undefined}
            rightSection={
              item.badge !== undefined && item.badge > 0 ? (
                <Badge size="sm" circle={item.badge < 10} data-testid="unread-badge">
                  {item.badge}
                  <VisuallyHidden>{t('shell.unread')}</VisuallyHidden>
                </Badge>
              ) : undefined
            }
          />
        ))}
      </AppShell.Navbar>
      <AppShell.Main>{children}</AppShell.Main>
    </AppShell>
  );
}
