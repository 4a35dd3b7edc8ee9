import { Injectable } from '@nestjs/common';

/**
 * Whether this process still wants traffic. On SIGTERM it starts draining: /health/ready answers
 * 503 while requests are still served, so that load balancers stop routing to it first.
 */
@Injectable()
export class Readiness {
  private drainingSince: number | null = null;

  get draining(): boolean {
    return this.drainingSince !== null;
  }

  drain(): void {
    this.drainingSince ??= Date.now();
  }
}
