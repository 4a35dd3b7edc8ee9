import { Injectable } from '@nestjs/common';
import { DepartmentRepository, FoyerEntity, FoyerKind, FoyerRepository, Page } from '@vigie/persistence';
import { Caller, canSeeFoyer, requireRole } from '../access/caller';
import { Clock } from '../clock/clock';
import { DomainError } from '../errors/domain-error';

@Injectable()
export class FoyerService {
  constructor(
    private readonly foyers: FoyerRepository,
    private readonly departments: DepartmentRepository,
    private readonly clock: Clock,
  ) {}

  async createFoyer(input: { name: string; departmentCode: string; kind: FoyerKind; phone?: string | null; address?: string | null }): Promise<FoyerEntity> {
    if (!(await this.departments.findByCode(input.departmentCode))) {
      throw DomainError.invalid('departmentCode', `unknown département ${input.departmentCode}`);
    }
    return this.foyers.create(input);
  }

  /** Changes an open foyer's name, phone or address (null clears the last two); admin only. */
  async updateFoyer(caller: Caller, id: string, patch: { name?: string; phone?: string | null; address?: string | null }): Promise<FoyerEntity> {
    requireRole(caller, ['admin']);
    const before = await this.foyers.findById(id);
    if (!before) throw DomainError.notFound('Foyer');
    if (before.closedAt) throw new DomainError('INVALID_TRANSITION', 'The foyer is closed: it can no longer be changed');
    const after = await this.foyers.update(id, patch);
    if (!after) throw DomainError.notFound('Foyer');
    if (after.closedAt) throw new DomainError('INVALID_TRANSITION', 'The foyer is closed: it can no longer be changed');
    return after;
  }

  /**
   * Closes a foyer (admin only): refused while one of its episodes is open (missing or located), so
   * that no searched-for youth loses the foyer its alerts name; see docs/decisions.md.
   */
  async closeFoyer(caller: Caller, id: string): Promise<FoyerEntity> {
    requireRole(caller, ['admin']);
    const outcome = await this.foyers.close(id, this.clock.now());
    if (outcome === null) throw DomainError.notFound('Foyer');
    if (outcome === 'already-closed') throw new DomainError('INVALID_TRANSITION', 'The foyer is already closed');
    if (outcome === 'open-episodes') {
      throw new DomainError('CONFLICT', 'The foyer has open episodes (missing or located): end them before closing it');
    }
    return (await this.foyers.findById(id)) as FoyerEntity;
  }

  async getFoyer(caller: Caller, id: string): Promise<FoyerEntity> {
    // The hotline may never read foyers (as for the list): 403, not a 404 for every id.
    if (caller.role === 'hotline') throw DomainError.forbidden();
    const foyer = await this.foyers.findById(id);
    if (!foyer || !canSeeFoyer(caller, foyer)) throw DomainError.notFound('Foyer');
    return foyer;
  }

  listFoyers(caller: Caller, limit: number, cursor: string | null): Promise<Page<FoyerEntity>> {
    switch (caller.role) {
      case 'admin':
        return this.foyers.list({}, limit, cursor);
      case 'foyer':
        return this.foyers.list({ foyerIds: caller.foyerIds }, limit, cursor);
      case 'police':
      case 'child_protection':
        return this.foyers.list({ departmentCodes: caller.departmentCodes }, limit, cursor);
      case 'hotline':
        throw DomainError.forbidden();
    }
  }
}
