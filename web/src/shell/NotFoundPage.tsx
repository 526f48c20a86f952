import { Anchor, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { useT } from '../i18n/i18n';
import { usePageTitle } from './usePageTitle';

export default function NotFoundPage() {
  const t = useT();
  usePageTitle(t('notFound.title'));
  return (
    <Stack>
      <Title order={1}>{t('notFound.title')}</Title>
      <Text>{t('notFound.body')}</Text>
      <Anchor component={Link} to="/cases">
        {t('nav.cases')}
      </Anchor>
    </Stack>
  );
}
