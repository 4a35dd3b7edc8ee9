import { Injectable } from '@nestjs/common';
import { DataCipher, FugueDetails, FugueEntity, FugueRepository, LinkRepository, LinkWithOther, slot, YouthIdentity, YouthRepository } from '@vigie/persistence';
import { Caller, canSeeFoyer, canSeeFugue, fugueScope, requireRole } from '../access/caller';
import { DomainError } from '../errors/domain-error';
import { ReturnPrivate } from '../fugues/fugue.types';
import { ageOn, localDateOf } from '../triage/local-time';
import { normaliseText } from './connections';
import { LinkReason, orderedReasons } from './link.rules';

/** One link as a caller sees it: the other episode's id and level only when the caller may see that episode. */
export interface LinkView {
  fugueId: string | null;
  reasons: LinkReason[];
  foundAt: Date;
  sameFoyer: boolean;
  level: 'routine' | 'worrying' | null;
  /** The other episode was cancelled (declared by mistake): the link is kept and shown as such. */
  cancelled: boolean;
}

export interface HistoryEntry {
  fugueId: string;
  status: string;
  t0: Date;
  /** `returnedAt`, else `locatedAt`, else the end of a closed or cancelled episode; null while missing. */
  end: Date | null;
  level: 'routine' | 'worrying' | null;
  departmentCode: string;
  /** Where the youth was found (the location's or the return's place), free text. */
  foundAt: string | null;
  links: LinkView[];
}

export interface HotlineLookupInput {
  firstName?: string;
  approximateAge?: number;
  departmentCode?: string;
  place?: string;
}

export interface HotlineMatch {
  fugueId: string;
  firstNameInitial: string;
  age: number;
  departmentCode: string;
  level: 'routine' | 'worrying' | null;
  noticedMissingAt: Date;
  minutesMissing: number;
}

/** At most this many episodes answer a hotline lookup. */
export const HOTLINE_LOOKUP_MAX = 20;
/** An approximate age matches within this many years. */
export const HOTLINE_AGE_TOLERANCE = 2;

/** Reading links (spec/links.md § Who sees what). */
@Injectable()
export class LinkReadingService {
  constructor(
    private readonly links: LinkRepository,
    private readonly fugues: FugueRepository,
    private readonly youths: YouthRepository,
    private readonly cipher: DataCipher,
  ) {}

  /** The links of an episode in the caller's scope; 404 for one outside it. */
  async linksOf(caller: Caller, fugueId: string): Promise<LinkView[]> {
    const fugue = await this.fugues.findById(fugueId);
    if (!fugue || !canSeeFugue(caller, fugue)) throw DomainError.notFound('Fugue');
    return (await this.links.linksWithOthers([fugue.id])).map((l) => linkView(caller, l));
  }

  /** Every episode of the youth the caller may see, oldest first, each with its links. */
  async history(caller: Caller, youthId: string): Promise<{ youthId: string; items: HistoryEntry[] }> {
    requireRole(caller, ['admin', 'foyer', 'police', 'child_protection']);
    const youth = await this.youths.findWithDepartment(youthId);
    if (!youth) throw DomainError.notFound('Youth');
    const page = await this.fugues.list(fugueScope(caller), { youthId }, 1000, null);
    const episodes = page.items.sort((a, b) => a.noticedMissingAt.getTime() - b.noticedMissingAt.getTime() || a.id.localeCompare(b.id));
    if (episodes.length === 0 && !canSeeFoyer(caller, { id: youth.foyerId, departmentCode: youth.departmentCode })) throw DomainError.notFound('Youth');
    const links = await this.links.linksWithOthers(episodes.map((e) => e.id));
    return {
      youthId: youth.id,
      items: episodes.map((f) => ({
        fugueId: f.id,
        status: f.status,
        t0: f.noticedMissingAt,
        end: f.returnedAt ?? f.locatedAt ?? f.endedAt,
        level: f.effectiveLevel,
        departmentCode: f.departmentCode,
        foundAt: this.foundPlace(f),
        links: links.filter((l) => l.fugueId === f.id).map((l) => linkView(caller, l)),
      })),
    };
  }

  /**
   * The hotline's lookup: open episodes of its scope whose youth matches (first name without
   * accents or case, age within 2 years, département, a place named in the last-seen place),
   * oldest first, at most 20 — a first-name initial, never the full identity.
   */
  async hotlineLookup(caller: Caller, input: HotlineLookupInput, now: Date): Promise<HotlineMatch[]> {
    requireRole(caller, ['hotline', 'admin']);
    const scope = fugueScope(caller).departmentCodes;
    if (input.departmentCode && scope && !scope.includes(input.departmentCode)) return [];
    const departments = input.departmentCode ? [input.departmentCode] : scope;
    const name = input.firstName ? normaliseText(input.firstName) : null;
    const place = input.place ? normaliseText(input.place) : null;
    const matches: HotlineMatch[] = [];
    for (const row of await this.links.openEpisodesWithIdentity(departments)) {
      const identity = this.cipher.decrypt<YouthIdentity>(row.identityEnc, slot('youths', 'identity_enc', row.youthId));
      if (name && normaliseText(identity.firstName ?? '') !== name) continue;
      const age = ageOn(identity.birthDate, localDateOf(now, 'Europe/Paris'));
      if (input.approximateAge !== undefined && Math.abs(age - input.approximateAge) > HOTLINE_AGE_TOLERANCE) continue;
      if (place) {
        const details = this.cipher.decryptOptional<FugueDetails>(row.detailsEnc, slot('fugues', 'details_enc', row.id));
        if (!normaliseText(details?.lastSeenPlace ?? '').includes(place)) continue;
      }
      matches.push({
        fugueId: row.id,
        firstNameInitial: (identity.firstName ?? '').trim().charAt(0).toUpperCase(),
        age,
        departmentCode: row.departmentCode,
        level: row.effectiveLevel,
        noticedMissingAt: row.noticedMissingAt,
        minutesMissing: Math.max(0, Math.floor((now.getTime() - row.noticedMissingAt.getTime()) / 60_000)),
      });
      if (matches.length === HOTLINE_LOOKUP_MAX) break;
    }
    return matches;
  }

  private foundPlace(f: FugueEntity): string | null {
    const returned = this.cipher.decryptOptional<ReturnPrivate>(f.returnEnc, slot('fugues', 'return_enc', f.id));
    const located = this.cipher.decryptOptional<{ place?: string | null }>(f.locatedEnc, slot('fugues', 'located_enc', f.id));
    return returned?.place ?? located?.place ?? null;
  }
}

function linkView(caller: Caller, l: LinkWithOther): LinkView {
  const visible = canSeeFugue(caller, { foyerId: l.otherFoyerId, departmentCode: l.otherDepartmentCode, effectiveLevel: l.otherLevel });
  return {
    fugueId: visible ? l.otherId : null,
    reasons: orderedReasons(l.reasons),
    foundAt: l.foundAt,
    sameFoyer: l.sameFoyer,
    level: visible ? l.otherLevel : null,
    cancelled: l.otherStatus === 'cancelled',
  };
}
