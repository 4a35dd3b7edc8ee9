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

  listByFugue(fugueId: string): Promise<FugueEventEntity[]> {
    return this.dataSource.getRepository(FugueEventEntity).find({ where: { fugueId }, order: { id: 'ASC' } });
  }
}
