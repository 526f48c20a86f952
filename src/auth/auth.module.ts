import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { BrowserSessionController } from './browser-session.controller';
import { PrincipalLoader } from './principal.loader';
import { SessionRepository } from './session.repository';
import { TokenService } from './token.service';

@Global()
@Module({
  controllers: [AuthController, BrowserSessionController],
  providers: [AuthService, TokenService, PrincipalLoader, SessionRepository, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [PrincipalLoader, SessionRepository],
})
export class AuthModule {}
