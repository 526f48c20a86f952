import { Alert, Button, Container, Paper, PasswordInput, Stack, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { statusOf } from '../../api/errors';
import { useT } from '../../i18n/i18n';
import { type SignOutReason, session } from '../../session/session';
import { usePageTitle } from '../../shell/usePageTitle';

/** Shown in place of any page while signed out, so the address (a deep link) survives sign-in. */
export function SignInPage({ reason }: { reason?: SignOutReason }) {
  const t = useT();
  usePageTitle(t('signIn.title'));
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    try {
      await session.signIn(email, password);
    } catch (error) {
      const status = statusOf(error);
      setFailure(status === 401 ? t('signIn.wrong') : status === 429 ? t('signIn.locked') : t('common.unavailable'));
      setBusy(false);
    }
  };

  return (
    <Container size={420} py={80}>
      <main>
        <Title order={1} ta="center" mb="lg">
          {t('signIn.heading')}
        </Title>
        <Paper withBorder shadow="sm" p="lg" radius="md">
          <form onSubmit={(event) => void submit(event)} noValidate>
            <Stack>
              {reason === 'idle' && <Alert color="yellow">{t('signIn.idle')}</Alert>}
              {reason === 'expired' && <Alert color="yellow">{t('signIn.expired')}</Alert>}
              {failure && (
                <Alert color="red" role="alert">
                  {failure}
                </Alert>
              )}
              <TextInput
                label={t('signIn.email')}
                type="email"
                autoComplete="username"
                required
                value={email}
                onChange={(e) => setEmail(e.currentTarget.value)}
              />
              <PasswordInput
                visibilityToggleButtonProps={{ 'aria-label': t('signIn.showPassword') }}
                label={t('signIn.password')}
                autoComplete="current-password"
                required
                value={password}
                onChange={(e) => setPassword(e.currentTarget.value)}
              />
              <Button type="submit" loading={busy}>
                {t('signIn.submit')}
              </Button>
            </Stack>
          </form>
        </Paper>
      </main>
    </Container>
  );
}
