import { Injectable } from '@nestjs/common';
import { LinkRepository } from '@vigie/persistence';
import { ReferentNotifier } from '../interviews/referent-notifier';
import { Work } from '../unit-of-work/unit-of-work';

/** A cluster: the linked episodes of one foyer involve this many distinct youths within the window. */
export const FOYER_CLUSTER = { youths: 3, windowDays: 30, noticeEveryDays: 7, roles: ['child_protection', 'department_duty'] } as const;

/**
 * Peer recruitment inside a foyer (spec/links.md § What a link does, 3): when the episodes of one
 * foyer linked within 30 days involve 3 or more distinct youths of the foyer, one information
 * notice goes to the département's child_protection and department_duty referents, at most one
 * per foyer per 7 days. Each notice is recorded in foyer_clusters (GET /v1/stats counts them).
 */
@Injectable()
export class FoyerClusterService {
  constructor(
    private readonly links: LinkRepository,
    private readonly notifier: ReferentNotifier,
  ) {}

  /** Checks one foyer after links touching it were found; `fugueId` is the episode the notice points to. */
  async checkFoyer(work: Work, foyer: { foyerId: string; departmentCode: string; fugueId: string }, now: Date): Promise<boolean> {
    const { manager } = work;
    const youths = await this.links.linkedYouthsOfFoyer(manager, foyer.foyerId, now, FOYER_CLUSTER.windowDays);
    if (youths < FOYER_CLUSTER.youths) return false;
    const clusterId = await this.links.recordFoyerCluster(manager, { ...foyer, youthCount: youths }, now, FOYER_CLUSTER.noticeEveryDays);
    if (!clusterId) return false;
    await this.notifier.notify(
      work,
      {
        kind: 'foyer.cluster',
        fugue: { id: foyer.fugueId, departmentCode: foyer.departmentCode, foyerId: foyer.foyerId },
        roles: FOYER_CLUSTER.roles,
        dedupKey: `foyer-cluster:${clusterId}`,
        fallbackToDepartmentDuty: false,
      },
      now,
    );
    return true;
  }
}
