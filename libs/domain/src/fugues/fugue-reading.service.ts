import { Injectable } from '@nestjs/common';
import {
  DataCipher,
  DepartmentRepository,
  FugueAlertState,
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
import { Caller, canSeeFoyer, canSeeFugue, fugueScope } from '../access/caller';
import { Clock } from '../clock/clock';
import { ageOn, localDateOf } from '../triage/local-time';
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

/** An episode of a list, with what a board shows beside it. */
export interface FugueListItem {
  fugue: FugueEntity;
  /** null for a caller who may not read foyers (the hotline). */
  foyerName: string | null;
  alertState: FugueAlertState;
  /**
   * Asked for only (`withYouth`): the first name, the initial of the last name and the age today
   * in the département's time zone; null once the identity is erased.
   */
  youth?: { firstName: string; lastNameInitial: string; age: number } | null;
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
    private readonly departments: DepartmentRepository,
    private readonly clock: Clock,
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

  /** The caller's episodes, newest first, each with its foyer's name, its alert state and, when asked, who the youth is. */
  async listFugueItems(caller: Caller, filter: FugueListFilter, limit: number, cursor: string | null, { withYouth = false } = {}): Promise<Page<FugueListItem>> {
    const page = await this.fugues.list(fugueScope(caller), filter, limit, cursor);
    const ids = page.items.map((f) => f.id);
    const [situations, youths, timeZones] = await Promise.all([
      this.fugues.findSituations(ids),
      withYouth ? this.youths.findByIds([...new Set(page.items.map((f) => f.youthId))]) : Promise.resolve([]),
      withYouth ? this.timeZonesOf(page.items.map((f) => f.departmentCode)) : Promise.resolve(new Map<string, string>()),
    ]);
    const youthById = new Map(youths.map((y) => [y.id, y]));
    const now = this.clock.now();
    const items = page.items.map((fugue): FugueListItem => {
      const situation = situations.get(fugue.id);
      const item: FugueListItem = {
        fugue,
        foyerName: canSeeFoyer(caller, { id: fugue.foyerId, departmentCode: fugue.departmentCode }) ? (situation?.foyerName ?? null) : null,
        alertState: situation?.alertState ?? 'none',
      };
      if (!withYouth) return item;
      const youth = youthById.get(fugue.youthId);
      const identity = youth ? this.cipher.decryptOptional<YouthIdentity>(youth.identityEnc, slot('youths', 'identity_enc', youth.id)) : null;
      const timeZone = timeZones.get(fugue.departmentCode) ?? 'Europe/Paris';
      item.youth = identity
        ? { firstName: identity.firstName, lastNameInitial: (Array.from(identity.lastName.trim())[0] ?? '').toLocaleUpperCase('fr-FR'), age: ageOn(identity.birthDate, localDateOf(now, timeZone)) }
        : null;
      return item;
    });
    return { items, nextCursor: page.nextCursor };
  }

  private async timeZonesOf(codes: string[]): Promise<Map<string, string>> {
    const found = await Promise.all([...new Set(codes)].map((code) => this.departments.findByCode(code)));
    return new Map(found.filter((d) => d !== null).map((d) => [d.code, d.timeZone]));
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
