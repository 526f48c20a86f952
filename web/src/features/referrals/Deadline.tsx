import { Text } from '@mantine/core';
import { FormattedDate, FormattedRelativeTime } from 'react-intl';

/** An answer deadline: the local date and time, and how far away it is in the user's language. */
export function Deadline({ at }: { at: string }) {
  const seconds = Math.round((new Date(at).getTime() - Date.now()) / 1000);
  const unit = Math.abs(seconds) >= 86_400 ? 'day' : Math.abs(seconds) >= 3600 ? 'hour' : 'minute';
  const divisor = unit === 'day' ? 86_400 : unit === 'hour' ? 3600 : 60;
  return (
    <Text component="span" size="sm" c={seconds < 3600 ? 'red.9' : undefined} fw={seconds < 3600 ? 600 : undefined}>
      <FormattedDate value={at} dateStyle="medium" timeStyle="short" /> (
      <FormattedRelativeTime value={Math.round(seconds / divisor)} unit={unit} numeric="auto" />)
    </Text>
  );
}
