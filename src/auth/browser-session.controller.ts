import { Body, Controller, Delete, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DataSource } from 'typeorm';
import { ApiProblems } from '../common/openapi';
import { Problem } from '../common/problem';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { Public, requestMeta } from '../access/route.decorators';
import { AuthService, type TokenPair } from './auth.service';
import { BrowserSessionCookies, CSRF_COOKIE, CSRF_HEADER } from './browser-session';
import { AccessTokenDto } from './dto/browser-session.dto';
import { LoginDto } from './dto/auth.dto';
import { TokenService } from './token.service';

const CSRF_HEADER_DOC = { name: CSRF_HEADER, required: true, description: `The value of the ${CSRF_COOKIE} cookie` };

/**
 * The web app's session: the same sign-in, rotation and reuse detection as the JSON flow
 * (AuthService), with the refresh token kept in an httpOnly cookie instead of the page.
 */
@ApiTags('auth')
@Controller('auth/session')
export class BrowserSessionController {
  private readonly cookies: BrowserSessionCookies;

  constructor(
    private readonly auth: AuthService,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.cookies = new BrowserSessionCookies(config);
  }

  @Public()
  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in from the web app: the refresh token is set as an httpOnly cookie, with a CSRF cookie to echo' })
  @ApiOkResponse({ type: AccessTokenDto })
  @ApiProblems(400, 401, 403, 429)
  async signIn(@Body() body: LoginDto, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<AccessTokenDto> {
    // A sign-in forced from another site would put the victim into the attacker's account.
    this.cookies.refuseCrossSite(request);
    return this.answer(reply, await this.auth.login(body.email, body.password, requestMeta(request)));
  }

  @Public()
  @Post('refresh')
  @HttpCode(200)
  @ApiHeader(CSRF_HEADER_DOC)
  @ApiOperation({ summary: 'A new access token from the refresh cookie; both cookies rotate, and a reused refresh cookie ends the session' })
  @ApiOkResponse({ type: AccessTokenDto })
  @ApiProblems(401, 403)
  async refresh(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<AccessTokenDto> {
    this.cookies.requireCsrfToken(request);
    const token = this.cookies.refreshToken(request);
    try {
      if (!token) throw Problem.unauthorized('There is no browser session; sign in');
      return this.answer(reply, await this.auth.refresh(token));
    } catch (error) {
      // A dead cookie only provokes more failing refreshes: drop it so the app shows the sign-in.
      if (error instanceof Problem && error.statusCode === 401) this.cookies.clear(reply);
      throw error;
    }
  }

  @Public()
  @Delete()
  @HttpCode(204)
  @ApiHeader(CSRF_HEADER_DOC)
  @ApiOperation({ summary: 'Sign out of the web app: the session is revoked and its cookies cleared' })
  @ApiNoContentResponse({ description: 'Signed out' })
  @ApiProblems(403)
  async signOut(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    this.cookies.requireCsrfToken(request);
    const token = this.cookies.refreshToken(request);
    if (token) {
      // Any token of the family, used or not, identifies the session to end.
      const rows: Array<{ session_id: string; user_id: string }> = await this.dataSource.query(
        `SELECT t.session_id, s.user_id FROM refresh_token t JOIN auth_session s ON s.id = t.session_id WHERE t.token_hash = $1`,
        [TokenService.hashRefreshToken(token)],
      );
      if (rows[0]) await this.auth.logout(rows[0].user_id, rows[0].session_id);
    }
    this.cookies.clear(reply);
  }

  private answer(reply: FastifyReply, pair: TokenPair): AccessTokenDto {
    this.cookies.set(reply, pair.refreshToken);
    return { accessToken: pair.accessToken, expiresIn: pair.expiresIn };
  }
}
