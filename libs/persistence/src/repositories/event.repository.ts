import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { FugueEventEntity, FugueEventType } from '../entities/fugue-event.entity';

@Injectable()
export class FugueEventRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** For events written outside any other transaction. */
  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  async append(
    manager: EntityManager,
    event: { fugueId: string; type: FugueEventType; at?: Date; actorId?: string | null; data?: Record<string, unknown>; privateEnc?: string | null },
  ): Promise<void> {
    await manager.query(`INSERT INTO fugue_events (fugue_id, type, at, actor_id, data, private_enc) VALUES ($1, $2, $3, $4, $5, $6)`, [
      event.fugueId,
      event.type,
      event.at ?? new Date(),
      event.actorId ?? null,
      event.data ?? {},
      event.privateEnc ?? null,
    ]);
  }

  listByFugue(fugueId: string): Promise<FugueEventEntity[]> {
    return this.dataSource.getRepository(FugueEventEntity).find({ where: { fugueId }, order: { id: 'ASC' } });
  }
}
