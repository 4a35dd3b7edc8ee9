import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { loggerParams, VigieConfig, VigieConfigModule } from '@vigie/config';
import { PersistenceModule } from '@vigie/persistence';
import { Clock, SystemClock } from './clock/clock';
import { DomainModule } from './domain.module';

/**
 * What every Vigie process needs: validated config, JSON logs, the database, the clock and the
 * domain. `overrides` replace environment variables (tests give each file its own database and
 * queues); `clock` replaces the machine's clock (tests run the service at a chosen hour).
 */
@Module({})
export class VigieCoreModule {
  static forRoot(overrides: Record<string, string> = {}, { clock = new SystemClock() }: { clock?: Clock } = {}): DynamicModule {
    return {
      module: VigieCoreModule,
      global: true,
      providers: [{ provide: Clock, useValue: clock }],
      imports: [
        VigieConfigModule.forRoot(overrides),
        LoggerModule.forRootAsync({ inject: [VigieConfig], useFactory: (config: VigieConfig) => loggerParams(config) }),
        PersistenceModule,
        DomainModule,
      ],
      exports: [DomainModule, Clock],
    };
  }
}
