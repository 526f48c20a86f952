import { Alert, Anchor, Button, Container, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import { ApiError } from '../../api/errors';
import { useT } from '../../i18n/i18n';
import { usePageTitle } from '../../shell/usePageTitle';
import { setPassword } from './hooks';

const MIN_LENGTH = 12;

/**
 * Public page of the e-mailed set-password link. The token is read from the address once, then
 * removed from it (history.replaceState) so it stays out of the history, bookmarks and later
 * Referer headers; it lives only in this component's memory and is never stored.
 */
export default function SetPasswordPage() {
  const t = useT();
  usePageTitle(t('setPassword.title'));
  const [token] = useState(() => new URLSearchParams(window.location.search).get('token'));
  useEffect(() => {
    if (window.location.search) window.history.replaceState(window.history.state, '', window.location.pathname);
  }, []);
  const [password, setValue] = useState('');
  const [repeat, setRepeat] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const tooShort = password.length > 0 && password.length < MIN_LENGTH;
  const mismatch = repeat.length > 0 && repeat !== password;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!token || password.length < MIN_LENGTH || password !== repeat) return;
    setBusy(true);
    setFailure(null);
    try {
      await setPassword(token, password);
      setDone(true);
    } catch (error) {
      const status = error instanceof ApiError ? error.status : undefined;
      setFailure(
        status === 410 ? t('setPassword.gone') : status === 400 ? t('setPassword.invalid') : status === 429 ? t('signIn.locked') : t('common.unavailable'),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <Container size={460} py={80}>
      <main>
        <Title order={1} ta="center" mb="lg">
          {t('setPassword.heading')}
        </Title>
        <Paper withBorder shadow="sm" p="lg" radius="md">
          {done ? (
            <Stack>
              <Alert color="teal" role="status">
                {t('setPassword.done')}
              </Alert>
              <Anchor href="/">{t('setPassword.signIn')}</Anchor>
            </Stack>
          ) : !token ? (
            <Alert color="red" role="alert">
              {t('setPassword.noToken')}
            </Alert>
          ) : (
            <form onSubmit={(event) => void submit(event)} noValidate>
              <Stack>
                <Text size="sm">{t('setPassword.hint', { min: MIN_LENGTH })}</Text>
                {failure && (
                  <Alert color="red" role="alert">
                    {failure}
                  </Alert>
                )}
                <PasswordInput
                  visibilityToggleButtonProps={{ 'aria-label': t('signIn.showPassword') }}
                  label={t('setPassword.password')}
                  autoComplete="new-password"
                  required
                  value={password}
                  onChange={(e) => setValue(e.currentTarget.value)}
                  error={tooShort ? t('setPassword.tooShort', { min: MIN_LENGTH }) : undefined}
                />
                <PasswordInput
                  visibilityToggleButtonProps={{ 'aria-label': t('signIn.showPassword') }}
                  label={t('setPassword.repeat')}
                  autoComplete="new-password"
                  required
                  value={repeat}
                  onChange={(e) => setRepeat(e.currentTarget.value)}
                  error={mismatch ? t('setPassword.mismatch') : undefined}
                />
                <Button type="submit" loading={busy} disabled={password.length < MIN_LENGTH || password !== repeat}>
                  {t('setPassword.submit')}
                </Button>
              </Stack>
            </form>
          )}
        </Paper>
      </main>
    </Container>
  );
}
