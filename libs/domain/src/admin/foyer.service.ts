import { Injectable } from '@nestjs/common';
import { DepartmentRepository, FoyerEntity, FoyerKind, FoyerRepository, Page } from '@vigie/persistence';
import { Caller, canSeeFoyer } from '../access/caller';
import { DomainError } from '../errors/domain-error';

@Injectable()
export class FoyerService {
  constructor(
    private readonly foyers: FoyerRepository,
    private readonly departments: DepartmentRepository,
  ) {}

  async createFoyer(input: { name: string; departmentCode: string; kind: FoyerKind; phone?: string | null }): Promise<FoyerEntity> {
    if (!(await this.departments.findByCode(input.departmentCode))) {
      throw DomainError.invalid('departmentCode', `unknown département ${input.departmentCode}`);
    }
    return this.foyers.create(input);
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
