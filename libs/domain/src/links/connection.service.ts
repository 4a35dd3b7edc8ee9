import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { BlindIndex, ConnectionRow, ConnectionValue, DataCipher, LinkRepository, slot } from '@vigie/persistence';
import { Caller, canSeeFoyer } from '../access/caller';
import { DomainError } from '../errors/domain-error';
import {
  ConnectionsInput,
  ConnectionSource,
  EpisodeConnections,
  hasConnections,
  normaliseAddress,
  normaliseAlias,
  normalisePlate,
  PlaceKind,
} from './connections';
import { newRowId } from '../ids/row-id';

/**
 * The structured facts of an episode (spec/links.md § Structured facts): checked, stored
 * encrypted with their blind indexes, read back for those who may see the episode's identity.
 */
@Injectable()
export class ConnectionService {
  constructor(
    private readonly links: LinkRepository,
    private readonly cipher: DataCipher,
    private readonly blindIndex: BlindIndex,
  ) {}

  /** Refuses a companion's youthId that does not exist (a 400 naming the field). */
  async check(input: ConnectionsInput | null | undefined, manager?: EntityManager, field = 'connections'): Promise<void> {
    if (!hasConnections(input)) return;
    const asked = (input.companions ?? []).map((c, i) => ({ i, youthId: c.youthId })).filter((c): c is { i: number; youthId: string } => !!c.youthId);
    const existing = await this.links.existingYouthIds(manager, [...new Set(asked.map((c) => c.youthId.toLowerCase()))]);
    const unknown = asked.find((c) => !existing.has(c.youthId.toLowerCase()));
    if (unknown) throw DomainError.invalid(`${field}.companions.${unknown.i}.youthId`, 'must be the id of an existing youth');
  }

  /** Appends the connections to the episode, in the caller's transaction (after `check`). */
  async store(manager: EntityManager, fugueId: string, source: ConnectionSource, input: ConnectionsInput | null | undefined): Promise<number> {
    if (!hasConnections(input)) return 0;
    const rows: ConnectionRow[] = [];
    const row = (kind: ConnectionRow['kind'], fields: Partial<ConnectionRow>, value: ConnectionValue | null): ConnectionRow => {
      const id = newRowId();
      const indexed = value?.indexed;
      return {
        id,
        fugueId,
        kind,
        source,
        companionYouthId: null,
        approximateAge: null,
        placeKind: null,
        communeCode: null,
        at: null,
        ...fields,
        valueEnc: value && Object.keys(value).length > 0 ? this.cipher.encrypt(value, slot('fugue_connections', 'value_enc', id)) : null,
        blindIndex: indexed ? this.blindIndex.of(indexed.kind, indexed.value) : null,
        indexKeyId: indexed ? this.blindIndex.keyId : null,
      };
    };
    for (const c of input.companions ?? []) {
      const alias = c.alias?.trim() ? c.alias : undefined;
      rows.push(
        row(
          'companion',
          { companionYouthId: c.youthId?.toLowerCase() ?? null, approximateAge: c.approximateAge ?? null },
          alias ? { alias, indexed: { kind: 'alias', value: normaliseAlias(alias) } } : null,
        ),
      );
    }
    for (const v of input.vehicles ?? []) {
      const plate = v.plate ? normalisePlate(v.plate) : null;
      const value: ConnectionValue = {};
      if (v.plate) value.plate = v.plate;
      if (v.description) value.description = v.description;
      if (plate) value.indexed = { kind: 'plate', value: plate };
      rows.push(row('vehicle', {}, value));
    }
    for (const p of input.places ?? []) {
      const value: ConnectionValue | null = p.address ? { address: p.address, indexed: { kind: 'address', value: normaliseAddress(p.address, p.communeCode) } } : null;
      rows.push(row('place', { placeKind: p.kind, communeCode: p.communeCode ?? null, at: p.at ?? null }, value));
    }
    await this.links.insertConnections(manager, rows);
    return rows.length;
  }

  /** The episode's connections, decrypted; a companion youth outside the caller's scope is not named. */
  async read(caller: Caller, fugueId: string): Promise<EpisodeConnections> {
    const rows = await this.links.connectionsOf(fugueId);
    const youthIds = [...new Set(rows.map((r) => r.companionYouthId).filter((id): id is string => !!id))];
    const visible = new Set((await this.links.youthFoyers(youthIds)).filter((y) => canSeeFoyer(caller, { id: y.foyerId, departmentCode: y.departmentCode })).map((y) => y.id));
    const result: EpisodeConnections = { companions: [], vehicles: [], places: [] };
    for (const r of rows) {
      const value = this.cipher.decryptOptional<ConnectionValue>(r.valueEnc, slot('fugue_connections', 'value_enc', r.id)) ?? {};
      if (r.kind === 'companion') {
        const inScope = !!r.companionYouthId && visible.has(r.companionYouthId);
        result.companions.push({
          youthId: inScope ? r.companionYouthId : null,
          outsideScope: !!r.companionYouthId && !inScope,
          alias: value.alias ?? null,
          approximateAge: r.approximateAge,
        });
      } else if (r.kind === 'vehicle') {
        result.vehicles.push({ plate: value.plate ? normalisePlate(value.plate) : null, description: value.description ?? null });
      } else {
        result.places.push({ kind: r.placeKind as PlaceKind, communeCode: r.communeCode, address: value.address ?? null, at: r.at });
      }
    }
    return result;
  }
}
