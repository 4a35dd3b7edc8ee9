import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  DataCipher,
  DepartmentRepository,
  FoyerEntity,
  FoyerRepository,
  FugueEntity,
  CurrentFugue,
  encodeCursor,
  Page,
  Sex,
  slot,
  YouthEntity,
  YouthIdentity,
  YouthRepository,
  YouthScope,
  vitalTreatmentOf,
  vulnerabilitiesOf,
} from '@vigie/persistence';
import { JobName } from '@vigie/queue';
import { Caller, canSeeFoyer, requireRole } from '../access/caller';
import { DomainError } from '../errors/domain-error';
import { ageOn, localDateOf } from '../triage/local-time';
import { Clock } from '../clock/clock';
import { UnitOfWork } from '../unit-of-work/unit-of-work';
import { newRowId } from '../ids/row-id';

export interface YouthInput {
  foyerId: string;
  firstName: string;
  lastName: string;
  birthDate: string;
  sex: Sex;
  description?: string | null;
  photoUrl?: string | null;
  phone?: string | null;
  usualPlaces?: string[];
  medical?: { vitalTreatment: boolean; details?: string | null };
  vulnerabilities?: string[];
  externalRef?: string | null;
}

/** A youth with its identity decrypted: only ever built for a caller in scope, and audited. */
export interface YouthProfile {
  youth: YouthEntity;
  identity: YouthIdentity | null;
}

/** A youth of a list, with its current episode (missing, located or returned, not closed) if any. */
export interface YouthListItem extends YouthProfile {
  currentFugue: CurrentFugue | null;
}

export interface YouthListFilter {
  foyerId?: string;
  /** Part of the first name, last name or external reference, case and accents ignored. */
  q?: string;
}

/** Rows read at a time while searching: identity is encrypted, so a search decrypts as it reads. */
const SEARCH_BATCH = 200;

/** Lower case without accents, so that « eloise » finds « Éloïse ». */
export function searchable(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

const MAX_AGE = 20;

@Injectable()
export class YouthService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly foyers: FoyerRepository,
    private readonly departments: DepartmentRepository,
    private readonly uow: UnitOfWork,
    private readonly cipher: DataCipher,
    private readonly clock: Clock,
    private readonly youths: YouthRepository,
  ) {}

  /**
   * The youths the caller may see, newest first, each with identity (audited by the caller) and
   * its current episode. A search reads the youths in scope in batches and keeps those whose
   * name or external reference contains `q`: names are encrypted, so no index can answer it.
   * The cursor is the last youth returned, so a page never skips or repeats a match.
   */
  async listYouths(caller: Caller, filter: YouthListFilter, limit: number, cursor: string | null): Promise<Page<YouthListItem>> {
    requireRole(caller, ['admin', 'foyer', 'police', 'child_protection']);
    if (filter.foyerId) await this.foyerInScope(caller, filter.foyerId, 'foyerId');
    const scope = youthScope(caller);
    const needle = filter.q ? searchable(filter.q) : null;
    const matches: YouthProfile[] = [];
    let after = cursor;
    for (;;) {
      const batchSize = needle ? SEARCH_BATCH : limit + 1;
      const rows = await this.youths.listBatch(scope, filter.foyerId ?? null, batchSize, after);
      for (const youth of rows) {
        const identity = this.cipher.decryptOptional<YouthIdentity>(youth.identityEnc, slot('youths', 'identity_enc', youth.id));
        if (!needle || matchesSearch(needle, youth, identity)) matches.push({ youth, identity });
        if (matches.length > limit) break;
      }
      if (matches.length > limit || rows.length < batchSize) break;
      const last = rows[rows.length - 1];
      after = encodeCursor(last.createdAt, last.id);
    }
    const page = matches.slice(0, limit);
    const current = await this.youths.currentFugues(page.map((p) => p.youth.id));
    const lastReturned = page[page.length - 1];
    return {
      items: page.map((p) => ({ ...p, currentFugue: current.get(p.youth.id) ?? null })),
      nextCursor: matches.length > limit && lastReturned ? encodeCursor(lastReturned.youth.createdAt, lastReturned.youth.id) : null,
    };
  }

  async registerYouth(caller: Caller, input: YouthInput): Promise<YouthProfile> {
    requireRole(caller, ['admin', 'foyer']);
    const foyer = await this.foyerInScope(caller, input.foyerId, 'foyerId', true);
    await this.checkAge(input.birthDate, foyer);
    const identity: YouthIdentity = {
      firstName: input.firstName,
      lastName: input.lastName,
      birthDate: input.birthDate,
      phone: input.phone ?? null,
      description: input.description ?? null,
      photoUrl: input.photoUrl ?? null,
      usualPlaces: input.usualPlaces ?? [],
      medicalDetails: input.medical?.details ?? null,
      vulnerabilities: [...new Set(input.vulnerabilities ?? [])],
      vitalTreatment: input.medical?.vitalTreatment ?? false,
    };
    const repo = this.dataSource.getRepository(YouthEntity);
    const id = newRowId();
    const youth = await repo.save(
      repo.create({
        id,
        foyerId: foyer.id,
        identityEnc: this.cipher.encrypt(identity, slot('youths', 'identity_enc', id)),
        sex: input.sex,
        vitalTreatment: false,
        vulnerabilities: [],
        externalRef: input.externalRef ?? null,
        erasedAt: null,
      }),
    );
    return { youth, identity };
  }

  async getYouth(caller: Caller, id: string): Promise<YouthProfile> {
    requireRole(caller, ['admin', 'foyer', 'police', 'child_protection']);
    const youth = await this.youthInScope(caller, id);
    return { youth, identity: this.cipher.decryptOptional<YouthIdentity>(youth.identityEnc, slot('youths', 'identity_enc', youth.id)) };
  }

  /**
   * Changes the profile; an episode still open is triaged again, since vulnerabilities and
   * medical needs are facts of its triage.
   */
  async updateYouth(caller: Caller, id: string, patch: Partial<YouthInput>): Promise<YouthProfile> {
    requireRole(caller, ['admin', 'foyer']);
    return this.uow.run(async (work) => {
      const { manager } = work;
      const youth = await manager.getRepository(YouthEntity).createQueryBuilder('y').setLock('pessimistic_write').where('y.id = :id', { id }).getOne();
      if (!youth || !(await this.canSeeYouth(caller, youth))) throw DomainError.notFound('Youth');
      if (youth.erasedAt) throw DomainError.transition('The personal data of this youth has been erased');
      const foyer = patch.foyerId ? await this.foyerInScope(caller, patch.foyerId, 'foyerId', patch.foyerId !== youth.foyerId) : await this.foyers.findById(youth.foyerId);
      const current = this.cipher.decrypt<YouthIdentity>(youth.identityEnc as string, slot('youths', 'identity_enc', youth.id));
      const identity: YouthIdentity = {
        ...current,
        ...definedOnly({
          firstName: patch.firstName,
          lastName: patch.lastName,
          birthDate: patch.birthDate,
          phone: patch.phone,
          description: patch.description,
          photoUrl: patch.photoUrl,
          usualPlaces: patch.usualPlaces,
          medicalDetails: patch.medical ? (patch.medical.details ?? null) : undefined,
        }),
        vulnerabilities: patch.vulnerabilities ? [...new Set(patch.vulnerabilities)] : vulnerabilitiesOf(youth, current),
        vitalTreatment: patch.medical ? patch.medical.vitalTreatment : vitalTreatmentOf(youth, current),
      };
      if (patch.birthDate !== undefined) await this.checkAge(identity.birthDate, foyer as FoyerEntity);
      youth.identityEnc = this.cipher.encrypt(identity, slot('youths', 'identity_enc', youth.id));
      if (patch.foyerId) youth.foyerId = patch.foyerId;
      if (patch.sex) youth.sex = patch.sex;
      youth.vitalTreatment = false;
      youth.vulnerabilities = [];
      if (patch.externalRef !== undefined) youth.externalRef = patch.externalRef;
      await manager.getRepository(YouthEntity).save(youth);
      const open = await manager
        .getRepository(FugueEntity)
        .createQueryBuilder('f')
        .select('f.id')
        .where(`f.youth_id = :id AND f.status IN ('missing', 'located')`, { id })
        .getOne();
      if (open) await work.enqueue(JobName.FugueTriage, { fugueId: open.id, cause: 'profile' });
      return { youth, identity };
    });
  }

  /**
   * Moves vulnerability codes and the vital-treatment flag still in their clear columns (profiles
   * written before they were encrypted) into the encrypted identity, in batches; called by the worker's sweep until none is
   * left. Returns how many profiles it sealed.
   */
  async sealClearVulnerabilities(batch = 100): Promise<number> {
    let sealed = 0;
    for (;;) {
      const count = await this.dataSource.transaction(async (manager) => {
        const repo = manager.getRepository(YouthEntity);
        const youths = await repo
          .createQueryBuilder('y')
          .setLock('pessimistic_write')
          .setOnLocked('skip_locked')
          .where(`y.vulnerabilities <> '{}' OR y.vital_treatment`)
          .limit(batch)
          .getMany();
        for (const youth of youths) {
          const where = slot('youths', 'identity_enc', youth.id);
          const identity = this.cipher.decryptOptional<YouthIdentity>(youth.identityEnc, where);
          if (identity) {
            youth.identityEnc = this.cipher.encrypt({ ...identity, vulnerabilities: vulnerabilitiesOf(youth, identity), vitalTreatment: vitalTreatmentOf(youth, identity) }, where);
          }
          youth.vulnerabilities = [];
          youth.vitalTreatment = false;
          await repo.save(youth);
        }
        return youths.length;
      });
      sealed += count;
      if (count < batch) return sealed;
    }
  }

  /** The youth if the caller may see it; 404 otherwise, never revealing that it exists. */
  async youthInScope(caller: Caller, id: string): Promise<YouthEntity> {
    const youth = await this.dataSource.getRepository(YouthEntity).findOneBy({ id });
    if (!youth || !(await this.canSeeYouth(caller, youth))) throw DomainError.notFound('Youth');
    return youth;
  }

  private async canSeeYouth(caller: Caller, youth: YouthEntity): Promise<boolean> {
    if (caller.role === 'admin') return true;
    if (caller.role === 'foyer') return caller.foyerIds.includes(youth.foyerId);
    const foyer = await this.foyers.findById(youth.foyerId);
    return !!foyer && canSeeFoyer(caller, foyer);
  }

  /** `open`: the youth is placed there, which a closed foyer no longer takes. */
  private async foyerInScope(caller: Caller, foyerId: string, field: string, open = false): Promise<FoyerEntity> {
    const foyer = await this.foyers.findById(foyerId);
    if (!foyer || !canSeeFoyer(caller, foyer)) throw DomainError.invalid(field, 'unknown foyer');
    if (open && foyer.closedAt) throw DomainError.invalid(field, 'the foyer is closed');
    return foyer;
  }

  private async checkAge(birthDate: string, foyer: FoyerEntity): Promise<void> {
    const department = await this.departments.findByCode(foyer.departmentCode);
    const today = localDateOf(this.clock.now(), department?.timeZone ?? 'Europe/Paris');
    const age = ageOn(birthDate, today);
    if (age < 0 || age > MAX_AGE) throw DomainError.invalid('birthDate', `age must be between 0 and ${MAX_AGE} (got ${age < 0 ? 'a future date' : 'over ' + MAX_AGE})`);
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Whose youths a caller may list: as canSeeFoyer says of one foyer. */
function youthScope(caller: Caller): YouthScope {
  switch (caller.role) {
    case 'foyer':
      return { foyerIds: caller.foyerIds, departmentCodes: null };
    case 'police':
    case 'child_protection':
      return { foyerIds: null, departmentCodes: caller.departmentCodes };
    default:
      return { foyerIds: null, departmentCodes: null };
  }
}

function matchesSearch(needle: string, youth: YouthEntity, identity: YouthIdentity | null): boolean {
  const fields = [identity?.firstName, identity?.lastName, youth.externalRef, identity ? `${identity.firstName} ${identity.lastName}` : null];
  return fields.some((field) => !!field && searchable(field).includes(needle));
}
