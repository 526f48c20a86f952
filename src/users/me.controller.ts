import { Body, Controller, Patch } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Meta } from '../access/route.decorators';
import type { Principal, RequestMeta } from '../access/principal';
import { MeDto } from '../auth/dto/auth.dto';
import { ApiProblems } from '../common/openapi';
import { UpdateMeDto } from './dto/user.dto';
import { UsersService } from './users.service';

/** The signed-in user's own settings; any role. `GET /api/me` lives with the session (AuthController). */
@ApiTags('users')
@ApiBearerAuth()
@ApiProblems(400, 401)
@Controller('me')
export class MeController {
  constructor(private readonly users: UsersService) {}

  @Patch()
  @ApiOperation({ summary: 'Change your own language (en, nl, fr, de) or display name; answers as GET /api/me' })
  @ApiOkResponse({ type: MeDto })
  update(@CurrentPrincipal() principal: Principal, @Body() body: UpdateMeDto, @Meta() meta: RequestMeta): Promise<MeDto> {
    return this.users.updateMe(principal, body, meta);
  }
}
