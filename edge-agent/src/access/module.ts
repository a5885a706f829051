import type { EdgeModule } from '../modules/module.js';
import { AccessService, type AccessDeps } from './service.js';

/** Gate access as an edge module: the constructor only stores its dependencies. */
export class AccessModule implements EdgeModule {
  readonly name = 'access';
  readonly service: AccessService;

  constructor(deps: AccessDeps) {
    this.service = new AccessService(deps);
  }

  start(): Promise<void> {
    return this.service.start();
  }

  stop(): Promise<void> {
    return this.service.stop();
  }
}
