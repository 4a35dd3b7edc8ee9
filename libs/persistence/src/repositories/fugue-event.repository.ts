import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { DataCipher } from '../crypto/data-cipher';
import { slot } from '../crypto/encrypted-columns';
import { FugueEventEntity, FugueEventType } from '../entities/fugue-event.entity';

@Injectable()
export class FugueEventRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: DataCipher,
  ) {}

  /** For events written outside any other transaction. */
  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  async append(
    manager: EntityManager,
    event: {
      fugueId: string;
      type: FugueEventType;
      at?: Date;
      actorId?: string | null;
      data?: Record<string, unknown>;
      /** Free text of the event, stored encrypted (bound to the event's row) in `private_enc`. */
      private?: Record<string, unknown> | null;
    },
  ): Promise<void> {
    // The row id is taken first when there is text to encrypt: the ciphertext is bound to it.
    const id = event.private ? String((await manager.query(`SELECT nextval(pg_get_serial_sequence('fugue_events', 'id')) AS id`))[0].id) : null;
    const privateEnc = id ? this.cipher.encryptOptional(event.private, slot('fugue_events', 'private_enc', id)) : null;
    await manager.query(
      `INSERT INTO fugue_events (id, fugue_id, type, at, actor_id, data, private_enc)
       VALUES (COALESCE($7::bigint, nextval(pg_get_serial_sequence('fugue_events', 'id'))), $1, $2, $3, $4, $5, $6)`,
      [
      event.fugueId,
      event.type,
      event.at ?? new Date(),
      event.actorId ?? null,
      event.data ?? {},
      privateEnc,
      id,
      ],
    );
  }

  /**
   * Whether the police took part in the episode: an override set or withdrawn, an update, a
   * sighting, a location or an acknowledgement by a police API client or person, or an
   * acknowledgement through the link of a police referent.
   */
  async policeInvolved(manager: EntityManager, fugueId: string): Promise<boolean> {
    const rows: { involved: boolean }[] = await manager.query(
      `SELECT EXISTS (
         SELECT 1 FROM fugue_events e
          WHERE e.fugue_id = $1
            AND e.type IN ('override.set', 'override.withdrawn', 'updated', 'sighting', 'located', 'alert.acknowledged')
            AND (e.actor_id IN (SELECT id FROM api_clients WHERE role = 'police')
                 OR e.actor_id IN (SELECT id FROM people WHERE role = 'police')
                 OR (e.type = 'alert.acknowledged'
                     AND e.data->>'referentId' IN (SELECT id::text FROM referents WHERE role = 'police')))
       ) AS involved`,
      [fugueId],
    );
    return rows[0]?.involved === true;
  }

  listByFugue(fugueId: string): Promise<FugueEventEntity[]> {
    return this.dataSource.getRepository(FugueEventEntity).find({ where: { fugueId }, order: { id: 'ASC' } });
  }
}
