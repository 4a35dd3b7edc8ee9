import { Injectable } from '@nestjs/common';
import {
  DataCipher,
  FugueDetails,
  FugueEntity,
  FugueEventEntity,
  FugueEventRepository,
  FugueListFilter,
  FugueRepository,
  Page,
  slot,
  YouthEntity,
  YouthIdentity,
  YouthRepository,
} from '@vigie/persistence';
import { Caller, canSeeFugue, fugueScope } from '../access/caller';
import { DomainError } from '../errors/domain-error';
import { ReturnPrivate } from './fugue.types';
import { ConnectionService } from '../links/connection.service';
import { EpisodeConnections } from '../links/connections';

/** An episode with its free text and its youth's identity decrypted, for a caller in scope. */
export interface FugueRecord {
  fugue: FugueEntity;
  details: FugueDetails;
  located: { place?: string | null } | null;
  returned: ReturnPrivate | null;
  endReason: string | null;
  overrideReason: string | null;
  youth: YouthEntity | null;
  identity: YouthIdentity | null;
  /** Companions, vehicles and places told of the episode (spec/links.md). */
  connections: EpisodeConnections;
}

export interface TimelineEntry {
  event: FugueEventEntity;
  /** The event's free text (note, place, reason), decrypted. */
  text: Record<string, unknown> | null;
}

@Injectable()
export class FugueReadingService {
  constructor(
    private readonly fugues: FugueRepository,
    private readonly youths: YouthRepository,
    private readonly events: FugueEventRepository,
    private readonly cipher: DataCipher,
    private readonly connections: ConnectionService,
  ) {}

  async getFugue(caller: Caller, id: string): Promise<FugueRecord> {
    const fugue = await this.fugueInScope(caller, id);
    const youth = await this.youths.findById(fugue.youthId);
    return {
      fugue,
      details: this.cipher.decryptOptional<FugueDetails>(fugue.detailsEnc, slot('fugues', 'details_enc', fugue.id)) ?? {},
      located: this.cipher.decryptOptional(fugue.locatedEnc, slot('fugues', 'located_enc', fugue.id)),
      returned: this.cipher.decryptOptional<ReturnPrivate>(fugue.returnEnc, slot('fugues', 'return_enc', fugue.id)),
      endReason: this.cipher.decryptOptional<{ reason: string }>(fugue.endReasonEnc, slot('fugues', 'end_reason_enc', fugue.id))?.reason ?? null,
      overrideReason: this.cipher.decryptOptional<{ reason: string }>(fugue.overrideReasonEnc, slot('fugues', 'override_reason_enc', fugue.id))?.reason ?? null,
      youth,
      identity: youth ? this.cipher.decryptOptional<YouthIdentity>(youth.identityEnc, slot('youths', 'identity_enc', youth.id)) : null,
      connections: await this.connections.read(caller, fugue.id),
    };
  }

  listFugues(caller: Caller, filter: FugueListFilter, limit: number, cursor: string | null): Promise<Page<FugueEntity>> {
    return this.fugues.list(fugueScope(caller), filter, limit, cursor);
  }

  async timeline(caller: Caller, id: string): Promise<TimelineEntry[]> {
    await this.fugueInScope(caller, id);
    const events = await this.hideLinkedOutOfScope(caller, await this.events.listByFugue(id));
    return events.map((event) => ({ event, text: this.cipher.decryptOptional<Record<string, unknown>>(event.privateEnc, slot('fugue_events', 'private_enc', event.id)) }));
  }

  /**
   * A link's events name the other episode only to a caller who may see it, as its link list
   * does (spec/links.md § Who sees what): otherwise `linkedFugueId` is null and the reasons stay.
   */
  private async hideLinkedOutOfScope(caller: Caller, events: FugueEventEntity[]): Promise<FugueEventEntity[]> {
    const linked = [...new Set(events.map((e) => (e.type === 'linked' || e.type === 'link.indicator' ? e.data.linkedFugueId : null)).filter((v): v is string => typeof v === 'string'))];
    if (linked.length === 0) return events;
    const visible = new Set<string>();
    for (const id of linked) {
      const other = await this.fugues.findById(id);
      if (other && canSeeFugue(caller, other)) visible.add(id);
    }
    return events.map((e) =>
      typeof e.data.linkedFugueId === 'string' && !visible.has(e.data.linkedFugueId) ? Object.assign(Object.create(Object.getPrototypeOf(e)), e, { data: { ...e.data, linkedFugueId: null } }) : e,
    );
  }

  /** 404 for an episode that does not exist and for one outside the caller's scope alike. */
  async fugueInScope(caller: Caller, id: string): Promise<FugueEntity> {
    const fugue = await this.fugues.findById(id);
    if (!fugue || !canSeeFugue(caller, fugue)) throw DomainError.notFound('Fugue');
    return fugue;
  }
}
