import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  DataCipher,
  DepartmentRepository,
  FoyerEntity,
  FoyerRepository,
  FugueEntity,
  OutboxRepository,
  Sex,
  slot,
  YouthEntity,
  YouthIdentity,
  vitalTreatmentOf,
  vulnerabilitiesOf,
} from '@vigie/persistence';
import { JobName } from '@vigie/queue';
import { Caller, canSeeFoyer, requireRole } from '../access/caller';
import { DomainError } from '../errors/domain-error';
import { OutboxRelay } from '../outbox/outbox.relay';
import { ageOn, localDateOf } from '../triage/local-time';
import { Clock } from '../clock/clock';

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

const MAX_AGE = 20;

@Injectable()
export class YouthService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly foyers: FoyerRepository,
    private readonly departments: DepartmentRepository,
    private readonly outbox: OutboxRepository,
    private readonly relay: OutboxRelay,
    private readonly cipher: DataCipher,
    private readonly clock: Clock,
  ) {}

  async registerYouth(caller: Caller, input: YouthInput): Promise<YouthProfile> {
    requireRole(caller, ['admin', 'foyer']);
    const foyer = await this.foyerInScope(caller, input.foyerId, 'foyerId');
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
    const id = randomUUID();
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
    const { youth, identity, openFugueId, outboxMessage } = await this.dataSource.transaction(async (manager) => {
      const youth = await manager.getRepository(YouthEntity).createQueryBuilder('y').setLock('pessimistic_write').where('y.id = :id', { id }).getOne();
      if (!youth || !(await this.canSeeYouth(caller, youth))) throw DomainError.notFound('Youth');
      if (youth.erasedAt) throw DomainError.transition('The personal data of this youth has been erased');
      const foyer = patch.foyerId ? await this.foyerInScope(caller, patch.foyerId, 'foyerId') : await this.foyers.findById(youth.foyerId);
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
      const outboxMessage = open ? await this.outbox.add(manager, JobName.FugueTriage, { fugueId: open.id, cause: 'profile' }) : null;
      return { youth, identity, openFugueId: open?.id ?? null, outboxMessage };
    });
    if (openFugueId && outboxMessage) this.relay.publishSoon([outboxMessage]);
    return { youth, identity };
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

  private async foyerInScope(caller: Caller, foyerId: string, field: string): Promise<FoyerEntity> {
    const foyer = await this.foyers.findById(foyerId);
    if (!foyer || !canSeeFoyer(caller, foyer)) throw DomainError.invalid(field, 'unknown foyer');
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
