import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Problem } from '../common/problem';
import type { Role } from './role';
import type { Principal, RequestMeta } from './principal';

export const PUBLIC_ROUTE = 'passage:public';
export const REQUIRED_ROLES = 'passage:roles';

/** The route needs no sign-in (login, refresh, health). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** The route is open only to these roles; everyone else gets 403. Record-level checks stay in the services. */
export const Roles = (...roles: Role[]) => SetMetadata(REQUIRED_ROLES, roles);

export interface AuthenticatedRequest extends FastifyRequest {
  principal?: Principal;
}

export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw Problem.unauthorized();
  return principal;
});

export function requestMeta(request: FastifyRequest): RequestMeta {
  return { requestId: String(request.id), ip: request.ip };
}

export const Meta = createParamDecorator((_data: unknown, context: ExecutionContext): RequestMeta =>
  requestMeta(context.switchToHttp().getRequest<FastifyRequest>()),
);
