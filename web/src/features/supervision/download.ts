import { api } from '../../api/client';
import { ApiError } from '../../api/errors';
import type { AuditFilters } from './types';

/**
 * The CSV export with the bearer token (a link cannot carry it, and a token never goes into a
 * URL): fetched through the typed client, then handed to the browser as a file through an
 * object URL, which is revoked at once. The file name is the one the API chose.
 */
export async function downloadAuditCsv(filters: AuditFilters): Promise<void> {
  const { data, response } = await api.GET('/api/audit/events.csv', { params: { query: filters }, parseAs: 'blob' });
  if (!response.ok || !data) throw new ApiError(response.status, undefined);
  const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'passage-audit.csv';
  const url = URL.createObjectURL(data);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
