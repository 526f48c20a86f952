import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Meta } from '../access/route.decorators';
import type { Principal, RequestMeta } from '../access/principal';
import { ApiProblems } from '../common/openapi';
import { IdentityMatchesDto, IdentityMatchQueryDto } from './dto/identity-match.dto';
import { IdentityMatchingService } from './identity-matching.service';

@ApiTags('cases')
@ApiBearerAuth()
@Controller('cases/identity-matches')
export class IdentityMatchingController {
  constructor(private readonly matching: IdentityMatchingService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Does another agency already hold a case for this person? (officer, inspector, caseworker, migration officer)',
    description:
      'Compares keyed blind indexes of the normalised name (+ date of birth) and document number, never plaintext. A case the caller cannot read ' +
      'is answered with its lead organisation only and visible: false. Rate-limited per user; audited as case.identity_match.',
  })
  @ApiOkResponse({ type: IdentityMatchesDto })
  @ApiProblems(400, 401, 403, 429, 503)
  match(@CurrentPrincipal() principal: Principal, @Body() body: IdentityMatchQueryDto, @Meta() meta: RequestMeta) {
    return this.matching.match(principal, body, meta);
  }
}
