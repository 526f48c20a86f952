import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Principal } from '../access/principal';
import { Role } from '../access/role';
import { CurrentPrincipal, Roles } from '../access/route.decorators';
import { ApiProblems } from '../common/openapi';
import { DirectoryDto, DirectoryQueryDto } from './dto/directory.dto';
import { UserDirectory } from './user-directory';

/**
 * Names for the ids a supervisor or an org admin meets (API.md, Readable context), so no screen
 * shows a bare UUID. Staff names only: a user's e-mail, role and state stay with the admins' list.
 */
@ApiTags('users')
@ApiBearerAuth()
@ApiProblems(400, 401, 403)
@Roles(Role.Supervisor, Role.OrgAdmin)
@Controller('users/directory')
export class DirectoryController {
  constructor(private readonly users: UserDirectory) {}

  @Get()
  @ApiOperation({ summary: 'Names and organisations of users within your audit scope (supervisors) or organisation (org admins)' })
  @ApiOkResponse({ type: DirectoryDto })
  directory(@CurrentPrincipal() principal: Principal, @Query() query: DirectoryQueryDto): Promise<DirectoryDto> {
    return this.users.lookUp(principal, query.ids);
  }
}
