import type { LoggerService } from '@nestjs/common';
import { quietStartUp } from './logging';

describe('quietStartUp', () => {
  const calls: Array<[string, unknown, unknown[]]> = [];
  const recorder: LoggerService = {
    log: (message: unknown, ...params: unknown[]) => calls.push(['log', message, params]),
    error: (message: unknown, ...params: unknown[]) => calls.push(['error', message, params]),
    warn: (message: unknown, ...params: unknown[]) => calls.push(['warn', message, params]),
    debug: (message: unknown, ...params: unknown[]) => calls.push(['debug', message, params]),
  };
  beforeEach(() => calls.splice(0));

  it("moves Nest's per-route and per-module start-up lines to debug", () => {
    const logger = quietStartUp(recorder);
    logger.log('Mapped {/api/health, GET} route', 'RouterExplorer');
    logger.log('HealthController {/api/health}:', 'RoutesResolver');
    logger.log('AppModule dependencies initialized', 'InstanceLoader');
    expect(calls.map(([level]) => level)).toEqual(['debug', 'debug', 'debug']);
  });

  it('keeps every other line at its level', () => {
    const logger = quietStartUp(recorder);
    logger.log('Nest application successfully started', 'NestApplication');
    logger.warn('careful', 'Somewhere');
    logger.error('broken', 'Elsewhere');
    expect(calls).toEqual([
      ['log', 'Nest application successfully started', ['NestApplication']],
      ['warn', 'careful', ['Somewhere']],
      ['error', 'broken', ['Elsewhere']],
    ]);
  });
});
