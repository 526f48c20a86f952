import { Center, Loader } from '@mantine/core';
import { useT } from '../i18n/i18n';

export function Pending() {
  const t = useT();
  return (
    <Center h="40vh">
      <Loader aria-label={t('common.loading')} role="status" />
    </Center>
  );
}
