import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { loggerParams, VigieConfig, VigieConfigModule } from '@vigie/config';
import { PersistenceModule } from '@vigie/persistence';
import { DomainModule } from './domain.module';

/**
 * What every Vigie process needs: validated config, JSON logs, the database and the domain.
 * `overrides` replace environment variables (tests give each file its own database and queues).
 */
@Module({})
export class VigieCoreModule {
  static forRoot(overrides: Record<string, string> = {}): DynamicModule {
    return {
      module: VigieCoreModule,
      imports: [
        VigieConfigModule.forRoot(overrides),
        LoggerModule.forRootAsync({ inject: [VigieConfig], useFactory: (config: VigieConfig) => loggerParams(config) }),
        PersistenceModule,
        DomainModule,
      ],
      exports: [DomainModule],
    };
  }
}
