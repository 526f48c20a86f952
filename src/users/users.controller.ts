import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Meta, Public, Roles } from '../access/route.decorators';
import type { Principal, RequestMeta } from '../access/principal';
import { ApiProblems } from '../common/openapi';
import { IdPipe } from '../common/ids';
import { CreateUserDto, InviteUserDto, SetPasswordDto, UpdateUserDto, UserDto, UserListDto, UserListQueryDto } from './dto/user.dto';
import { Role } from '../access/role';
import { UsersService } from './users.service';

@ApiTags('users')
@ApiBearerAuth()
@ApiProblems(400, 401, 403)
@Roles(Role.OrgAdmin)
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOperation({ summary: 'The users of your organisation, by e-mail' })
  @ApiOkResponse({ type: UserListDto })
  list(@CurrentPrincipal() admin: Principal, @Query() query: UserListQueryDto): Promise<UserListDto> {
    return this.users.list(admin, query);
  }

  @Post()
  @ApiOperation({ summary: 'Create a user in your organisation' })
  @ApiCreatedResponse({ type: UserDto })
  @ApiProblems(409, 422)
  create(@CurrentPrincipal() admin: Principal, @Body() body: CreateUserDto, @Meta() meta: RequestMeta): Promise<UserDto> {
    return this.users.create(admin, body, meta);
  }

  @Post('invitations')
  @ApiOperation({
    summary: 'Invite a user to your organisation: the account is created without a password and its user gets a one-time set-password link (72 h) by e-mail',
  })
  @ApiCreatedResponse({ type: UserDto })
  @ApiProblems(409, 422)
  invite(@CurrentPrincipal() admin: Principal, @Body() body: InviteUserDto, @Meta() meta: RequestMeta): Promise<UserDto> {
    return this.users.invite(admin, body, meta);
  }

  @Post(':id/invitation')
  @ApiOperation({ summary: 'Send a user of your organisation a new set-password link; an earlier link stops working' })
  @ApiCreatedResponse({ type: UserDto })
  @ApiProblems(404, 409)
  reinvite(
    @CurrentPrincipal() admin: Principal,
    @Param('id', new IdPipe('No such user in your organisation')) id: string,
    @Meta() meta: RequestMeta,
  ): Promise<UserDto> {
    return this.users.reinvite(admin, id, meta);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Rename, change the role of, deactivate or reactivate a user of your organisation; never your own role or active flag' })
  @ApiOkResponse({ type: UserDto })
  @ApiProblems(404, 422)
  update(
    @CurrentPrincipal() admin: Principal,
    @Param('id', new IdPipe('No such user in your organisation')) id: string,
    @Body() body: UpdateUserDto,
    @Meta() meta: RequestMeta,
  ): Promise<UserDto> {
    return this.users.update(admin, id, body, meta);
  }
}

/** Per client address: the tokens are 256-bit, so this only keeps a guesser from costing us argon2 hashes. */
const SET_PASSWORD_LIMIT = { rateLimit: { max: 10, timeWindow: 60_000 } };

@ApiTags('auth')
@Controller('auth')
export class SetPasswordController {
  constructor(private readonly users: UsersService) {}

  @Public()
  @Post('set-password')
  @HttpCode(204)
  @RouteConfig(SET_PASSWORD_LIMIT)
  @ApiOperation({ summary: 'Choose a password with the token of a set-password link; the link works once, for 72 hours (410 after)' })
  @ApiNoContentResponse({ description: 'The password is set; sign in with it' })
  @ApiProblems(400, 410, 429)
  async setPassword(@Body() body: SetPasswordDto, @Meta() meta: RequestMeta): Promise<void> {
    await this.users.setPassword(body, meta);
  }
}
