import { Global, Module } from '@nestjs/common';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { Sealer } from './crypto';

/** The one place a Sealer is made from the configuration: the provider below, and the CLI that has no Nest context. */
export function createSealer(config: AppConfig): Sealer {
  return new Sealer(config.encryptionKeys);
}

/** The application's AES-256-GCM sealer, keyed from DATA_ENCRYPTION_KEY; inject it, never construct one. */
@Global()
@Module({
  providers: [{ provide: Sealer, inject: [APP_CONFIG], useFactory: createSealer }],
  exports: [Sealer],
})
export class CryptoModule {}
