import type { DataSource, EntityManager } from 'typeorm';
import type { MeDto } from './dto/auth.dto';
import { Problem } from '../common/problem';
import type { Language } from '../common/language';

interface MeRow {
  id: string;
  email: string;
  name: string;
  role: string;
  language: Language;
  org_id: string;
  slug: string;
  org_name: string;
  type: string;
  country: string | null;
}

/** The signed-in user and their organisation, as `GET /api/me` and `PATCH /api/me` answer it. */
export async function readMe(db: DataSource | EntityManager, userId: string): Promise<MeDto> {
  const rows: MeRow[] = await db.query(
    `SELECT u.id, u.email, u.name, u.role, u.language, o.id AS org_id, o.slug, o.name AS org_name, o.type, o.country
       FROM "user" u JOIN organisation o ON o.id = u.organisation_id WHERE u.id = $1`,
    [userId],
  );
  const row = rows[0];
  if (!row) throw Problem.unauthorized();
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    language: row.language,
    organisation: { id: row.org_id, slug: row.slug, name: row.org_name, type: row.type, country: row.country },
  };
}
