import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { BlindIndex, ConnectionRow, ConnectionValue, DataCipher, FugueEntity, LinkCandidateRow, LinkRepository, slot } from '@vigie/persistence';
import { LINKING_PLACE_KINDS } from './connections';
import { LinkEpisode, linkReasons, linkWindow, LinkReason, orderedReasons } from './link.rules';

/** A link found or extended by one evaluation. */
export interface FoundLink {
  otherId: string;
  /** Every reason of the link now. */
  reasons: LinkReason[];
  /** The reasons this evaluation added. */
  added: LinkReason[];
  created: boolean;
}

/**
 * Finds the episodes linked to one episode (spec/links.md § When two episodes are linked) and
 * stores the links, in the triage's transaction. The candidates are read in SQL through the blind
 * indexes and the foyer's departures, then decided by `linkReasons`. Idempotent: a link already
 * stored with the same reasons is left as it is and reported by nobody.
 */
@Injectable()
export class LinkEvaluationService {
  constructor(
    private readonly links: LinkRepository,
    private readonly cipher: DataCipher,
    private readonly blindIndex: BlindIndex,
  ) {}

  /**
   * The links of `fugue` found or extended at `now`. `read`: its connections and its candidates
   * for the blind indexes stored with them, when the caller read them already (the triage's
   * claim); those candidates are all there is while no key rotation is under way.
   */
  async evaluate(
    manager: EntityManager,
    fugue: FugueEntity,
    now: Date,
    read?: { connections: readonly ConnectionRow[]; candidates: readonly LinkCandidateRow[] },
  ): Promise<FoundLink[]> {
    const x = await this.factsOf(manager, fugue, read?.connections);
    const readSuffices = read !== undefined && read.connections.every((row) => this.onlyStoredIndex(row));
    const candidates = readSuffices ? read.candidates : await this.candidatesOf(manager, x, now);
    const found: FoundLink[] = [];
    for (const candidate of candidates) {
      const reasons = linkReasons(x, candidate, now);
      if (reasons.length === 0) continue;
      const recorded = await this.links.recordLink(manager, x.id, candidate.id, reasons, now);
      if (recorded) found.push({ otherId: candidate.id, reasons: orderedReasons(recorded.reasons), added: orderedReasons(recorded.added), created: recorded.created });
    }
    return found;
  }

  /** The candidates of `x` for every index its connections' values may be stored under. */
  private candidatesOf(manager: EntityManager, x: LinkEpisode, now: Date): Promise<LinkCandidateRow[]> {
    const window = linkWindow(x, now);
    return this.links.linkCandidates(
      manager,
      {
        id: x.id,
        youthId: x.youthId,
        foyerId: x.foyerId,
        departure: x.lastSeenAt ?? x.noticedMissingAt,
        departedWithPeers: x.departedWith === 'peers',
        windowStart: new Date(window.start),
        windowEnd: new Date(window.end),
      },
      { plates: x.plateIndexes, aliases: x.aliasIndexes, addresses: x.addressIndexes, companionYouthIds: x.companionYouthIds },
      now,
      LINKING_PLACE_KINDS,
    );
  }

  /**
   * The episode as the link rules read it. Its index lists hold every index its values may be
   * stored under elsewhere: under the current key, and under the previous one while a key
   * rotation has not recomputed them all.
   */
  async factsOf(manager: EntityManager, fugue: FugueEntity, connections?: readonly ConnectionRow[]): Promise<LinkEpisode> {
    const rows = connections ?? (await this.links.connectionsOf(fugue.id, manager));
    const indexes = (kind: ConnectionRow['kind'], only?: (row: ConnectionRow) => boolean) =>
      rows.filter((r) => r.kind === kind && r.blindIndex && (!only || only(r))).flatMap((r) => this.indexesOf(r));
    return {
      id: fugue.id,
      youthId: fugue.youthId,
      foyerId: fugue.foyerId,
      departmentCode: fugue.departmentCode,
      noticedMissingAt: fugue.noticedMissingAt,
      lastSeenAt: fugue.lastSeenAt,
      departedWith: fugue.departedWith,
      locatedAt: fugue.locatedAt,
      returnedAt: fugue.returnedAt,
      endedAt: fugue.endedAt,
      companionYouthIds: [...new Set(rows.map((r) => r.companionYouthId).filter((id): id is string => !!id))],
      plateIndexes: indexes('vehicle'),
      aliasIndexes: indexes('companion'),
      addressIndexes: indexes('place', (r) => LINKING_PLACE_KINDS.includes(r.placeKind as never)),
    };
  }

  /** Whether the index stored with the connection is the only one its value may be stored under elsewhere. */
  private onlyStoredIndex(row: ConnectionRow): boolean {
    return !row.blindIndex || (row.indexKeyId === this.blindIndex.keyId && !this.blindIndex.rotating);
  }

  private indexesOf(row: ConnectionRow): string[] {
    const stored = row.blindIndex as string;
    if (this.onlyStoredIndex(row)) return [stored];
    // Decrypted in memory only: the clear value never reaches a query.
    const value = this.cipher.decryptOptional<ConnectionValue>(row.valueEnc, slot('fugue_connections', 'value_enc', row.id));
    return value?.indexed ? [...new Set([stored, ...this.blindIndex.candidates(value.indexed.kind, value.indexed.value)])] : [stored];
  }
}
