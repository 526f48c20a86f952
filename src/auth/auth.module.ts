import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { BrowserSessionController } from './browser-session.controller';
import { PrincipalLoader } from './principal.loader';
import { TokenService } from './token.service';

@Global()
@Module({
  controllers: [AuthController, BrowserSessionController],
  providers: [AuthService, TokenService, PrincipalLoader, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [PrincipalLoader],
})
export class AuthModule {}
