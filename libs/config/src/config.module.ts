import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { resolveDataKey } from './data-key-file';
import { readEnvironment } from './environment';
import { Readiness } from './readiness';
import { loadConfig, VigieConfig } from './vigie-config';

/**
 * Validates the environment once through @nestjs/config and exposes it as the typed
 * `VigieConfig` provider. Tests pass their own values with `forRoot(overrides)`.
 */
@Global()
@Module({})
export class VigieConfigModule {
  static forRoot(overrides: Record<string, string> = {}): DynamicModule {
    let config: VigieConfig | undefined;
    return {
      module: VigieConfigModule,
      imports: [
        ConfigModule.forRoot({
          ignoreEnvFile: true,
          validate: (env) => {
            config = resolveDataKey(loadConfig({ ...(env as Record<string, string>), ...overrides }));
            return env;
          },
        }),
      ],
      providers: [{ provide: VigieConfig, useFactory: () => config ?? resolveDataKey(loadConfig({ ...readEnvironment(), ...overrides })) }, Readiness],
      exports: [VigieConfig, Readiness],
    };
  }
}
