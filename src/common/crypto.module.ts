import { Global, Module } from '@nestjs/common';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { Sealer } from './crypto';

/** The application's AES-256-GCM sealer, keyed from DATA_ENCRYPTION_KEY. */
@Global()
@Module({
  providers: [{ provide: Sealer, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new Sealer(config.encryptionKeys) }],
  exports: [Sealer],
})
export class CryptoModule {}
