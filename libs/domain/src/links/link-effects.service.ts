import { Injectable } from '@nestjs/common';
import { FugueEntity, FugueEventRepository, LinkRepository, StoredLink } from '@vigie/persistence';
import { JobName } from '@vigie/queue';
import { AlertNewsService } from '../escalation/alert-news.service';
import { Classification } from '../triage/triage.types';
import { WebhookEventService } from '../webhooks/webhook-event.service';
import { Work } from '../unit-of-work/unit-of-work';
import { FoyerClusterService } from './foyer-cluster.service';
import { FoundLink } from './link-evaluation.service';

/** The indicator a link to a youth known to be exploited adds (spec/links.md § What a link does). */
export const LINK_INDICATOR = 'PEER_EXPLOITED';

/**
 * What a link does (spec/links.md § What a link does), in the triage's transaction: the `linked`
 * timeline event on both episodes, the `fugue.linked` webhook event, a re-triage of the other
 * episode while it is open, PEER_EXPLOITED from a link to a youth known to be exploited, the
 * foyer-cluster notice, and the news of the link to the people the alert of an open episode
 * reached (docs/decisions.md § Links in the news of an alert).
 */
@Injectable()
export class LinkEffectsService {
  constructor(
    private readonly links: LinkRepository,
    private readonly events: FugueEventRepository,
    private readonly webhooks: WebhookEventService,
    private readonly clusters: FoyerClusterService,
    private readonly news: AlertNewsService,
  ) {}

  /** Tells of links found or extended by the triage of `fugue`. */
  async onFound(work: Work, fugue: FugueEntity, found: readonly FoundLink[], now: Date): Promise<void> {
    if (found.length === 0) return;
    const { manager } = work;
    const others = new Map((await this.links.episodesBrief(manager, found.map((f) => f.otherId))).map((o) => [o.id, o]));
    const open = (status: string) => status === 'missing' || status === 'located';
    // The news of an open episode: once per episode and evaluation, however many links were found.
    if (open(fugue.status)) await this.news.report(work, fugue.id, ['linked'], now);
    for (const link of found) {
      const other = others.get(link.otherId);
      if (!other) continue;
      const data = (linkedFugueId: string) => ({ linkedFugueId, reasons: link.reasons, newReasons: link.added });
      await this.events.append(manager, { fugueId: fugue.id, type: 'linked', at: now, data: data(other.id) });
      await this.events.append(manager, { fugueId: other.id, type: 'linked', at: now, data: data(fugue.id) });
      // Ids and codes only; each side's subscribers hear of their own episode.
      await this.webhooks.emit(work, 'fugue.linked', { fugueId: fugue.id, linkedFugueId: other.id, reasons: link.reasons }, { departmentCode: fugue.departmentCode, level: fugue.effectiveLevel });
      await this.webhooks.emit(work, 'fugue.linked', { fugueId: other.id, linkedFugueId: fugue.id, reasons: link.reasons }, { departmentCode: other.departmentCode, level: other.effectiveLevel });
      // The other episode's own triage reads the new link (PEER_EXPLOITED) while it is open.
      if (open(other.status)) {
        await work.enqueue(JobName.FugueTriage, { fugueId: other.id, cause: 'linked' });
        await this.news.report(work, other.id, ['linked'], now);
      }
    }
    const foyers = new Map<string, { foyerId: string; departmentCode: string; fugueId: string }>();
    foyers.set(fugue.foyerId, { foyerId: fugue.foyerId, departmentCode: fugue.departmentCode, fugueId: fugue.id });
    for (const o of others.values()) if (!foyers.has(o.foyerId)) foyers.set(o.foyerId, { foyerId: o.foyerId, departmentCode: o.departmentCode, fugueId: o.id });
    for (const foyer of foyers.values()) await this.clusters.checkFoyer(work, foyer, now);
  }

  /**
   * PEER_EXPLOITED with source `link` when the episode is linked to an episode whose youth is
   * known to be exploited; once added it stays (a human removes it by an override). An episode
   * closed or cancelled gains nothing. Returns the link that gave it, or null. `read`: the first
   * such link as the caller read it in this transaction, after which no link of the episode changed.
   */
  async gainPeerExploited(work: Work, fugue: FugueEntity, now: Date, read?: { peer: StoredLink | null }): Promise<string | null> {
    if (fugue.linkIndicators.includes(LINK_INDICATOR) || fugue.status === 'closed' || fugue.status === 'cancelled') return null;
    const peer = read ? read.peer : (await this.links.linkedExploited(work.manager, fugue.id, fugue.youthId, now))[0];
    if (!peer) return null;
    fugue.linkIndicators = [...fugue.linkIndicators, LINK_INDICATOR];
    await this.links.addLinkIndicator(work.manager, fugue.id, LINK_INDICATOR);
    await this.events.append(work.manager, {
      fugueId: fugue.id,
      type: 'link.indicator',
      at: now,
      data: { indicator: LINK_INDICATOR, source: 'link', linkedFugueId: peer.otherId, reasons: peer.reasons },
    });
    return peer.otherId;
  }

  /**
   * When this triage shows the episode's youth known to be exploited (worrying with
   * EXPLOITATION_KNOWN, or a recent disclosure), the open episodes linked to the youth's
   * episodes that have not gained PEER_EXPLOITED are triaged again. `disclosed`: the youth's
   * disclosure, read with the triage's facts (`TriageFacts.links`).
   */
  async afterClassified(work: Work, fugue: FugueEntity, classification: Classification, disclosed: boolean): Promise<void> {
    const exploitationKnown = fugue.effectiveLevel === 'worrying' && classification.reasons.some((r) => r.code === 'EXPLOITATION_KNOWN');
    if (!exploitationKnown && !disclosed) return;
    await this.retriagePeersOf(work, fugue.youthId);
  }

  /** The open episodes linked to any episode of this youth, still without PEER_EXPLOITED, are triaged again. */
  async retriagePeersOf(work: Work, youthId: string): Promise<void> {
    for (const id of await this.links.openPeersWithout(work.manager, youthId, LINK_INDICATOR)) {
      await work.enqueue(JobName.FugueTriage, { fugueId: id, cause: 'linked' });
    }
  }
}
