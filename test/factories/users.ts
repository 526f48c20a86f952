import type { UserDto } from '../../src/users/dto/user.dto';
import type { Role } from '../../src/access/role';
import type { TestApp } from '../support/app';
import { FACTORY_PASSWORD, uniqueName } from './organisations';

export interface CreatedUser {
  user: UserDto;
  email: string;
  password: string;
}

/** A new user of the org_admin's organisation, created through the API. */
export async function createUser(t: TestApp, adminToken: string, role: Role): Promise<CreatedUser> {
  const email = `${uniqueName(role.replace('_', '-'))}@example.test`;
  const created = await t.post<UserDto>('/api/users', { email, name: `Test ${role}`, role, password: FACTORY_PASSWORD }, adminToken);
  if (created.status !== 201) throw new Error(`creating user ${email} answered ${created.status}: ${created.text}`);
  return { user: created.body, email, password: FACTORY_PASSWORD };
}
