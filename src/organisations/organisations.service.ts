import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditAction } from '../audit/audit-action';
import { adminTarget } from '../audit/admin-target';
import { AuditService } from '../audit/audit.service';
import { hashPassword } from '../auth/password';
import type { Principal, RequestMeta } from '../access/principal';
import { Problem, type ProblemFieldError } from '../common/problem';
import { uniqueViolation } from '../database/errors';
import { Role } from '../access/role';
import { ParticipationRepository } from '../participation/participation.repository';
import { unusablePasswordHash, UsersService } from '../users/users.service';
import type {
  CreatedOrganisationDto,
  CreateOrganisationDto,
  OrganisationDto,
  OrganisationListDto,
  OrganisationQueryDto,
  UpdateOrganisationDto,
} from './dto/organisation.dto';
import { OrganisationType } from '../access/organisation-type';
import { Organisation } from './organisation.entity';

/** Bed fields appear only on reception centres, as API.md's item shape says. */
export function toOrganisationDto(organisation: Organisation): OrganisationDto {
  const dto: OrganisationDto = {
    id: organisation.id,
    slug: organisation.slug,
    name: organisation.name,
    type: organisation.type,
    country: organisation.country,
    active: organisation.active,
  };
  if (organisation.type === OrganisationType.ReceptionCentre) {
    dto.bedsTotal = organisation.bedsTotal ?? 0;
    dto.bedsAvailable = organisation.bedsAvailable ?? 0;
    dto.acceptsMinors = organisation.acceptsMinors ?? false;
  }
  return dto;
}

/** The rules between fields that the field decorators cannot express; each broken one names its field. */
export function organisationShapeErrors(
  type: OrganisationType,
  fields: { country?: unknown; bedsTotal?: unknown; acceptsMinors?: unknown },
  creating: boolean,
): ProblemFieldError[] {
  const errors: ProblemFieldError[] = [];
  if (creating && type === OrganisationType.Platform && fields.country !== undefined) {
    errors.push({ path: 'country', message: 'must be absent for the platform organisation' });
  }
  if (creating && type !== OrganisationType.Platform && fields.country === undefined) {
    errors.push({ path: 'country', message: 'is required' });
  }
  if (type === OrganisationType.ReceptionCentre) {
    if (creating && fields.bedsTotal === undefined) errors.push({ path: 'bedsTotal', message: 'is required for a reception centre' });
  } else {
    if (fields.bedsTotal !== undefined) errors.push({ path: 'bedsTotal', message: 'only reception centres have beds' });
    if (fields.acceptsMinors !== undefined) errors.push({ path: 'acceptsMinors', message: 'only reception centres have beds' });
  }
  return errors;
}

/**
 * Organisations: listed to every signed-in user (to pick a referral target), managed by
 * platform admins. Other modules use `findById` to read one.
 */
@Injectable()
export class OrganisationsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly audit: AuditService,
    private readonly beds: ParticipationRepository,
  ) {}

  findById(id: string, manager: EntityManager = this.dataSource.manager): Promise<Organisation | null> {
    return manager.getRepository(Organisation).findOneBy({ id });
  }

  async list(principal: Principal, query: OrganisationQueryDto): Promise<OrganisationListDto> {
    const select = this.dataSource.getRepository(Organisation).createQueryBuilder('o');
    // Inactive organisations cannot take referrals; only platform admins need to see them (to reactivate).
    if (principal.role !== Role.PlatformAdmin) select.andWhere('o.active');
    if (query.type) select.andWhere('o.type = :type', { type: query.type });
    if (query.country) select.andWhere('o.country = :country', { country: query.country });
    const organisations = await select.orderBy('o.country', 'ASC', 'NULLS FIRST').addOrderBy('o.type').addOrderBy('o.name').getMany();
    return { items: organisations.map(toOrganisationDto) };
  }

  async create(actor: Principal, input: CreateOrganisationDto, meta: RequestMeta): Promise<CreatedOrganisationDto> {
    const errors = organisationShapeErrors(input.type, input, true);
    if (errors.length > 0) throw Problem.badRequest('The request is invalid', errors);
    const { password } = input.admin;
    const passwordHash = password === undefined ? await unusablePasswordHash() : await hashPassword(password);
    const centre = input.type === OrganisationType.ReceptionCentre;
    // An invited admin's e-mail is queued by the worker from the committed invitation.
    return this.dataSource.transaction(async (manager) => {
      let id: string;
      try {
        const rows: Array<{ id: string }> = await manager.query(
          `INSERT INTO organisation (slug, name, type, country, beds_total, beds_available, accepts_minors)
           VALUES ($1, $2, $3, $4, $5, $5, $6) RETURNING id`,
          [input.slug, input.name, input.type, input.country ?? null, centre ? input.bedsTotal : null, centre ? (input.acceptsMinors ?? false) : null],
        );
        id = rows[0]!.id;
      } catch (error) {
        if (uniqueViolation(error) === 'organisation_slug_key')
          throw Problem.conflict('slug-taken', `An organisation with the slug "${input.slug}" already exists`);
        throw error;
      }
      await this.audit.record(manager, {
        action: AuditAction.OrganisationCreate,
        outcome: 'allowed',
        actor,
        justification: adminTarget('organisation', id),
        meta,
      });
      const organisation = toOrganisationDto((await this.findById(id, manager))!);
      if (password !== undefined) {
        const admin = await this.users.createAccount(manager, id, { ...input.admin, password }, Role.OrgAdmin, passwordHash, actor, meta);
        return { ...organisation, admin };
      }
      const invited = await this.users.inviteAccount(manager, id, input.admin, Role.OrgAdmin, passwordHash, actor, meta);
      return { ...organisation, admin: invited.user };
    });
  }

  async update(actor: Principal, id: string, change: UpdateOrganisationDto, meta: RequestMeta): Promise<OrganisationDto> {
    const { organisation, ended } = await this.dataSource.transaction(async (manager) => {
      const current = await manager.getRepository(Organisation).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!current) throw Problem.notFound('No such organisation');
      const errors = organisationShapeErrors(current.type, change, false);
      if (errors.length > 0) throw Problem.badRequest('The request is invalid', errors);
      if (change.active === false && current.type === OrganisationType.Platform) {
        throw Problem.unprocessable('platform-organisation', 'The platform organisation cannot be deactivated');
      }
      if (change.bedsTotal !== undefined) {
        const occupied = current.bedsTotal! - current.bedsAvailable!;
        if (change.bedsTotal < occupied) {
          throw Problem.conflict('beds-occupied', `${occupied} beds are occupied; the total cannot go below that`);
        }
      }
      await manager.query(
        `UPDATE organisation
            SET name = COALESCE($2, name),
                accepts_minors = COALESCE($3, accepts_minors),
                active = COALESCE($4, active),
                updated_at = now()
          WHERE id = $1`,
        [id, change.name ?? null, change.acceptsMinors ?? null, change.active ?? null],
      );
      if (change.bedsTotal !== undefined) await this.beds.resize(manager, id, change.bedsTotal);
      const endedSessions = current.active && change.active === false ? await this.users.endSessions(manager, { organisationId: id }) : [];
      const updated = (await this.findById(id, manager))!;
      const changed = (['name', 'bedsTotal', 'acceptsMinors', 'active'] as const).filter((field) => updated[field] !== current[field]);
      if (changed.length > 0) {
        await this.audit.record(manager, {
          action: AuditAction.OrganisationUpdate,
          outcome: 'allowed',
          actor,
          sections: changed,
          justification: adminTarget('organisation', id),
          meta,
        });
      }
      return { organisation: updated, ended: endedSessions };
    });
    this.users.forgetSessions(ended);
    return toOrganisationDto(organisation);
  }
}
