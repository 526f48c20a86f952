import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Meta, Roles } from '../access/route.decorators';
import type { Principal, RequestMeta } from '../access/principal';
import { ApiProblems } from '../common/openapi';
import { IdPipe } from '../common/ids';
import { CreateUserDto, UpdateUserDto, UserDto, UserListDto, UserListQueryDto } from './dto/user.dto';
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
