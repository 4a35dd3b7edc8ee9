import { Injectable } from '@nestjs/common';
import { EmailTakenError, Page, PeopleRepository, Person, Role } from '@vigie/persistence';
import { Clock } from '../clock/clock';
import { DomainError } from '../errors/domain-error';
import { ApiClientService } from '../admin/api-client.service';

export interface PersonInput {
  displayName: string;
  email: string;
  role: Role;
  foyerIds?: string[];
  departmentCodes?: string[];
}

const emailTaken = () => new DomainError('EMAIL_TAKEN', 'An active person already has this e-mail address');

/** People (the humans): the same five roles and scope rules as API clients. */
@Injectable()
export class PersonService {
  constructor(
    private readonly people: PeopleRepository,
    private readonly clients: ApiClientService,
    private readonly clock: Clock,
  ) {}

  async create(input: PersonInput): Promise<Person> {
    const person = await this.normalized(input);
    try {
      return await this.people.create(person);
    } catch (error) {
      if (error instanceof EmailTakenError) throw emailTaken();
      throw error;
    }
  }

  /** Changes the given fields; the scope is checked again as a whole. */
  async update(id: string, patch: Partial<PersonInput>): Promise<Person> {
    const current = await this.get(id);
    if (current.deactivatedAt) throw DomainError.transition('This person is deactivated');
    const next = await this.normalized({
      displayName: patch.displayName ?? current.displayName,
      email: patch.email ?? current.email,
      role: patch.role ?? current.role,
      // A new role drops the old scope unless a new one is given.
      foyerIds: patch.foyerIds ?? (patch.role && patch.role !== current.role ? [] : current.foyerIds),
      departmentCodes: patch.departmentCodes ?? (patch.role && patch.role !== current.role ? [] : current.departmentCodes),
    });
    try {
      const updated = await this.people.update(id, next);
      if (!updated) throw DomainError.transition('This person is deactivated');
      return updated;
    } catch (error) {
      if (error instanceof EmailTakenError) throw emailTaken();
      throw error;
    }
  }

  async get(id: string): Promise<Person> {
    const person = await this.people.findById(id);
    if (!person) throw DomainError.notFound('Person');
    return person;
  }

  list(limit: number, cursor: string | null): Promise<Page<Person>> {
    return this.people.list(limit, cursor);
  }

  /** Deactivates a person: every session and unused sign-in link of theirs ends at once. */
  async deactivate(id: string): Promise<void> {
    if (await this.people.deactivate(id, this.clock.now())) return;
    await this.get(id); // 404 for an unknown person; deactivating twice is a no-op
  }

  /** Creates the bootstrap admin person from VIGIE_BOOTSTRAP_ADMIN_EMAIL (idempotent). */
  ensureBootstrapAdmin(email: string): Promise<void> {
    return this.people.ensureAdmin(email.trim());
  }

  private async normalized(input: PersonInput): Promise<Omit<Person, 'id' | 'createdAt' | 'deactivatedAt'>> {
    const foyerIds = [...new Set(input.foyerIds ?? [])];
    const departmentCodes = [...new Set(input.departmentCodes ?? [])];
    await this.clients.checkScope(input.role, foyerIds, departmentCodes);
    return { displayName: input.displayName.trim(), email: input.email.trim(), role: input.role, foyerIds, departmentCodes };
  }
}
