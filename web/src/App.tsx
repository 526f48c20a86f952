import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, Suspense, useEffect } from 'react';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router';
import { statusOf } from './api/errors';
import { I18nProvider } from './i18n/i18n';
import { session, useSession } from './session/session';
import { Pending } from './shell/Pending';
import { Shell } from './shell/Shell';
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

function SignedInRoutes() {
  return (
    <Shell>
      <Suspense fallback={<Pending />}>
        <Routes>
          <Route path="/" element={<Navigate to="/cases" replace />} />
          <Route path="/cases" element={<CaseListPage />} />
          <Route path="/cases/new" element={<NewCasePage />} />
          <Route path="/cases/:id" element={<CasePage />} />
          <Route path="/referrals" element={<ReferralListPage />} />
          <Route path="/referrals/:id" element={<ReferralPage />} />
          <Route path="/inbox" element={<InboxPage />} />
          <Route path="/tasks" element={<MyTasksPage />} />
          <Route path="*" element={<NotFoundPage />} />
        </Routes>
      </Suspense>
    </Shell>
  );
}

function Gate() {
  const state = useSession();
  useEffect(() => {
    void session.restore();
  }, []);
  // Signed out, any URL shows the sign-in form in place: the address stays, so a deep link from an
  // e-mail (/cases/:id, /referrals/:id) opens its page as soon as the user has signed in.
  useEffect(() => {
    if (state.status === 'signedOut') queryClient.clear();
  }, [state.status]);
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
