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
  YouthEntity,
  YouthIdentity,
  YouthRepository,
} from '@vigie/persistence';
import { Caller, canSeeFugue, fugueScope } from '../access/caller';
import { DomainError } from '../errors/domain-error';
import { ReturnPrivate } from './fugue.types';

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
  ) {}

  async getFugue(caller: Caller, id: string): Promise<FugueRecord> {
    const fugue = await this.fugueInScope(caller, id);
    const youth = await this.youths.findById(fugue.youthId);
    return {
      fugue,
      details: this.cipher.decryptOptional<FugueDetails>(fugue.detailsEnc) ?? {},
      located: this.cipher.decryptOptional(fugue.locatedEnc),
      returned: this.cipher.decryptOptional<ReturnPrivate>(fugue.returnEnc),
      endReason: this.cipher.decryptOptional<{ reason: string }>(fugue.endReasonEnc)?.reason ?? null,
      overrideReason: this.cipher.decryptOptional<{ reason: string }>(fugue.overrideReasonEnc)?.reason ?? null,
      youth,
      identity: this.cipher.decryptOptional<YouthIdentity>(youth?.identityEnc),
    };
  }

  listFugues(caller: Caller, filter: FugueListFilter, limit: number, cursor: string | null): Promise<Page<FugueEntity>> {
    return this.fugues.list(fugueScope(caller), filter, limit, cursor);
  }

  async timeline(caller: Caller, id: string): Promise<TimelineEntry[]> {
    await this.fugueInScope(caller, id);
    const events = await this.events.listByFugue(id);
    return events.map((event) => ({ event, text: this.cipher.decryptOptional<Record<string, unknown>>(event.privateEnc) }));
  }

  /** 404 for an episode that does not exist and for one outside the caller's scope alike. */
  async fugueInScope(caller: Caller, id: string): Promise<FugueEntity> {
    const fugue = await this.fugues.findById(id);
    if (!fugue || !canSeeFugue(caller, fugue)) throw DomainError.notFound('Fugue');
    return fugue;
  }
}
