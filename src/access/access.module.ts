import { Global, Module } from '@nestjs/common';
import { AccessService } from './access.service';
import { CaseAbilityFactory } from './case-ability.factory';
import { UserCaseVisibility } from './user-case-visibility';

@Global()
@Module({ providers: [AccessService, CaseAbilityFactory, UserCaseVisibility], exports: [AccessService, UserCaseVisibility] })
export class AccessModule {}
