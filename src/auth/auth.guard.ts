import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Problem } from '../common/problem';
import type { Role } from '../access/role';
import { type AuthenticatedRequest, PUBLIC_ROUTE, REQUIRED_ROLES } from '../access/route.decorators';
import { PrincipalLoader } from './principal.loader';
import { TokenService } from './token.service';

/** Global guard: every route needs a valid bearer token of a live session unless marked @Public(). */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
    private readonly principals: PrincipalLoader,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(header) : null;
    if (!match) throw Problem.unauthorized('A bearer token is required');
    const claims = await this.tokens.verifyAccess(match[1]!);
    if (!claims) throw Problem.unauthorized('The token is invalid or expired');
    const principal = await this.principals.load(claims.sub, claims.sid);
    if (!principal) throw Problem.unauthorized('The session has ended or the account is inactive');
    request.principal = principal;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, targets);
    if (roles && !roles.includes(principal.role)) throw Problem.forbidden('Your role may not do this');
    return true;
  }
}
