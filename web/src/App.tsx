import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, Suspense, useEffect } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';
import { statusOf } from './api/errors';
import { I18nProvider } from './i18n/i18n';
import { session, useSession } from './session/session';
import { Pending } from './shell/Pending';
import { Shell } from './shell/Shell';
import { useMe } from './shell/useMe';
import { SignInPage } from './features/auth/SignInPage';
import { theme } from './theme';

// Each screen is its own chunk: the first load carries the shell and sign-in only.
const CaseListPage = lazy(() => import('./features/cases/CaseListPage'));
const NewCasePage = lazy(() => import('./features/cases/NewCasePage'));
const CasePage = lazy(() => import('./features/cases/CasePage'));
const ReferralListPage = lazy(() => import('./features/referrals/ReferralListPage'));
const ReferralPage = lazy(() => import('./features/referrals/ReferralPage'));
const InboxPage = lazy(() => import('./features/inbox/InboxPage'));
const MyTasksPage = lazy(() => import('./features/tasks/MyTasksPage'));
const NotFoundPage = lazy(() => import('./shell/NotFoundPage'));
// Supervision console (issue 11): supervisors and oversight only; the API refuses everyone else.
const AuditPage = lazy(() => import('./features/supervision/AuditPage'));
const AccessLogPage = lazy(() => import('./features/supervision/AccessLogPage'));
const AccessLogFinderPage = lazy(() => import('./features/supervision/AccessLogPage').then((module) => ({ default: module.AccessLogFinderPage })));
const BreakGlassReviewPage = lazy(() => import('./features/supervision/BreakGlassPage'));
const AuditLogPage = lazy(() => import('./features/supervision/AuditLogPage'));
const StatisticsPage = lazy(() => import('./features/supervision/StatisticsPage'));
// Administration console (issue 11).
const AdminUsersPage = lazy(() => import('./features/admin/UsersPage'));
const AdminWebhooksPage = lazy(() => import('./features/admin/WebhooksPage'));
const AdminOrganisationsPage = lazy(() => import('./features/admin/OrganisationsPage'));
const SetPasswordPage = lazy(() => import('./features/admin/SetPasswordPage'));

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // 404 and 403 are answers, not outages: asking again cannot change them.
      retry: (failures, error) => {
        const status = statusOf(error);
        return (status === undefined || status >= 500) && failures < 2;
      },
      staleTime: 10_000,
      refetchOnWindowFocus: true,
    },
  },
});

/** Where `/` leads: supervisors audit and admins administer, neither works on case files; everyone else starts at the case list. */
const HOME_BY_ROLE: Partial<Record<string, string>> = { supervisor: '/audit', org_admin: '/admin/users', platform_admin: '/admin/organisations' };

function Home() {
  const me = useMe();
  if (!me.data) return <Pending />;
  return <Navigate to={HOME_BY_ROLE[me.data.role] ?? '/cases'} replace />;
}

function SignedInRoutes() {
  return (
    <Shell>
      <Suspense fallback={<Pending />}>
        <Routes>
          <Route path="/" element={<Home />} />
          <Route path="/cases" element={<CaseListPage />} />
          <Route path="/cases/new" element={<NewCasePage />} />
          <Route path="/cases/:id" element={<CasePage />} />
          <Route path="/referrals" element={<ReferralListPage />} />
          <Route path="/referrals/:id" element={<ReferralPage />} />
          <Route path="/inbox" element={<InboxPage />} />
          <Route path="/audit" element={<AuditPage />} />
          <Route path="/audit/access-log" element={<AccessLogFinderPage />} />
          <Route path="/audit/break-glass" element={<BreakGlassReviewPage />} />
          <Route path="/audit/log" element={<AuditLogPage />} />
          <Route path="/cases/:id/access-log" element={<AccessLogPage />} />
          <Route path="/statistics" element={<StatisticsPage />} />
          <Route path="/admin/users" element={<AdminUsersPage />} />
          <Route path="/admin/webhooks" element={<AdminWebhooksPage />} />
          <Route path="/admin/organisations" element={<AdminOrganisationsPage />} />
          <Route path="/tasks" element={<MyTasksPage />} />
          <Route path="*" element={<NotFoundPage />} />
        </Routes>
      </Suspense>
    </Shell>
  );
}

function Gate() {
  const state = useSession();
  const { pathname } = useLocation();
  useEffect(() => {
    void session.restore();
  }, []);
  // Signed out, any URL shows the sign-in form in place: the address stays, so a deep link from an
  // e-mail (/cases/:id, /referrals/:id) opens its page as soon as the user has signed in.
  useEffect(() => {
    if (state.status === 'signedOut') queryClient.clear();
  }, [state.status]);
  // The e-mailed set-password link is public: it works signed out, and never inside someone's session.
  if (pathname === '/set-password')
    return (
      <Suspense fallback={<Pending />}>
        <SetPasswordPage />
      </Suspense>
    );
  if (state.status === 'restoring') return <Pending />;
  if (state.status === 'signedOut') return <SignInPage reason={state.reason} />;
  return <SignedInRoutes />;
}

export function App() {
  return (
    <MantineProvider theme={theme}>
      <QueryClientProvider client={queryClient}>
        <I18nProvider>
          <BrowserRouter>
            <Gate />
          </BrowserRouter>
        </I18nProvider>
      </QueryClientProvider>
    </MantineProvider>
  );
}
