import { Global, Module } from '@nestjs/common';
import { AccessService } from './access.service';
import { CaseAbilityFactory } from './case-ability.factory';

@Global()
@Module({ providers: [AccessService, CaseAbilityFactory], exports: [AccessService] })
export class AccessModule {}
