import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { WebhookEventEntity, WebhookEventType } from '../entities/webhook-event.entity';
import { preparedQuery } from './prepared';

export interface NewWebhookEvent {
  type: WebhookEventType;
  departmentCode: string;
  level: 'routine' | 'worrying' | null;
  data: Record<string, unknown>;
}

/**
 * The routing rule of webhook events, private to this repository: the fan-out of the events in a
 * CTE named `ev` (id, type, department_code, level, occurred_at): one pending delivery per
 * endpoint that receives each — active, subscribed to its type since before the event, and within
 * its scope (département, worrying only). An endpoint owned by a hotline client stops receiving
 * when that client is revoked. A replayed fan-out creates nothing. Returns each new delivery's id
 * and its event's id.
 */
const DELIVERIES_OF_EV = `INSERT INTO webhook_deliveries (event_id, endpoint_id, next_attempt_at)
  SELECT ev.id, ep.id, now()
    FROM ev
    JOIN webhook_endpoints ep ON ep.events @> ARRAY[ev.type] AND ep.status = 'active' AND ep.deleted_at IS NULL
                              AND ep.created_at <= ev.occurred_at
    JOIN api_clients owner ON owner.id = ep.owner_client_id
   WHERE (ep.department_codes IS NULL OR ev.department_code = ANY (ep.department_codes))
     AND (NOT ep.worrying_only OR ev.level = 'worrying')
     AND (owner.role <> 'hotline' OR owner.revoked_at IS NULL)
  ON CONFLICT (event_id, endpoint_id) DO NOTHING
  RETURNING id, event_id`;

/** An event written with its fan-out: its id, and the new deliveries' ids (none when nobody subscribes). */
export interface WrittenWebhookEvent {
  eventId: string;
  deliveryIds: string[];
}

/**
 * A change that another repository writes in one statement and that a webhook event reports, so
 * that the change, the event and its deliveries take one round trip. The change is a list of
 * CTEs using the parameters $1…$n of `params`; the event is written once per row of the CTE
 * `after` (none when the change wrote nothing); the statement returns `select`, taken from the
 * CTEs of `from`, beside the event.
 */
export interface ReportedChange {
  /** The prepared statement's name: one name always goes with one text. */
  name: string;
  ctes: string;
  params: unknown[];
  after: string;
  select: string;
  from: string;
  /**
   * When the change itself finds what the event is about (the declaration reads its youth in the
   * statement): SQL over the rows of `after` giving the event's département, used when the
   * event's `departmentCode` is null, and an object merged into the event's data.
   */
  eventFrom?: { departmentCode: string; data: string };
}

/**
 * A change written in one statement for several rows, each of which may be reported by a webhook
 * event of its own (the triages of a batch). The change is a list of CTEs using the parameters of
 * `params`; `events` is SQL, usable after FROM, giving the events to write, with the columns
 * `id` (chosen by the caller), `type`, `department_code`, `level` and `data`; the statement
 * returns `select` from `from`, and for each row the ids of the deliveries of the event whose id
 * is `eventId` (SQL over the row of `from`; none when null).
 */
export interface ReportedChanges {
  /** The prepared statement's name: one name always goes with one text. */
  name: string;
  ctes: string;
  params: unknown[];
  events: string;
  select: string;
  from: string;
  eventId: string;
}

/** A webhook event whose département and part of whose data the change finds (`ReportedChange.eventFrom`). */
export type ReportedEvent = Omit<NewWebhookEvent, 'departmentCode'> & { departmentCode: string | null };

@Injectable()
export class WebhookEventRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Written in the caller's transaction, beside the change the event reports, with its fan-out in
   * the same statement: one pending delivery per endpoint that receives it. Returns the event's id
   * and the new deliveries' ids (none when nobody subscribes, the usual case).
   */
  async insert(manager: EntityManager, event: NewWebhookEvent): Promise<WrittenWebhookEvent> {
    const [row]: { event_id: string; delivery_ids: string[] }[] = await preparedQuery(
      manager,
      'vigie_emit_webhook_event',
      `WITH ev AS (
         INSERT INTO webhook_events (type, department_code, level, data, fanned_out_at) VALUES ($1, $2, $3, $4, now())
         RETURNING id, type, department_code, level, occurred_at
       ), d AS (${DELIVERIES_OF_EV})
       SELECT ev.id AS event_id, ARRAY(SELECT id::text FROM d) AS delivery_ids FROM ev`,
      [event.type, event.departmentCode, event.level, event.data],
    );
    return { eventId: row.event_id, deliveryIds: row.delivery_ids };
  }

  /**
   * Runs another repository's change and writes the webhook event reporting it, with the event's
   * fan-out, in the same statement (the declaration: atomic without a transaction, on the hot
   * path of intake). One result per row the statement returns: the change's columns, and the event.
   */
  async insertWithChange<T>(manager: EntityManager, change: ReportedChange, event: ReportedEvent): Promise<{ row: T; event: WrittenWebhookEvent }[]> {
    const n = change.params.length;
    if (event.departmentCode === null && !change.eventFrom) throw new Error(`${change.name}: a webhook event without its département`);
    const departmentCode = change.eventFrom ? `coalesce($${n + 2}::text, ${change.eventFrom.departmentCode})` : `$${n + 2}::text`;
    const data = change.eventFrom ? `$${n + 4}::jsonb || ${change.eventFrom.data}` : `$${n + 4}::jsonb`;
    const rows = await preparedQuery<T & { webhook_event_id: string; webhook_delivery_ids: string[] }>(
      manager,
      change.name,
      `WITH ${change.ctes}, ev AS (
         INSERT INTO webhook_events (type, department_code, level, data, fanned_out_at)
         SELECT $${n + 1}::text, ${departmentCode}, $${n + 3}::text, ${data}, now() FROM ${change.after}
         RETURNING id, type, department_code, level, occurred_at
       ), d AS (${DELIVERIES_OF_EV})
       SELECT ${change.select}, ev.id AS webhook_event_id, ARRAY(SELECT id::text FROM d) AS webhook_delivery_ids
         FROM ${change.from}, ev`,
      [...change.params, event.type, event.departmentCode, event.level, JSON.stringify(event.data)],
    );
    return rows.map(({ webhook_event_id, webhook_delivery_ids, ...row }) => ({
      row: row as unknown as T,
      event: { eventId: webhook_event_id, deliveryIds: webhook_delivery_ids },
    }));
  }

  /**
   * Runs another repository's change of several rows and writes the webhook events reporting
   * them, with their fan-out, in the same statement (`ReportedChanges`). One result per row the
   * statement returns: the change's columns, and the deliveries of that row's event.
   */
  async insertManyWithChange<T>(manager: EntityManager, change: ReportedChanges): Promise<{ row: T; deliveryIds: string[] }[]> {
    const rows = await preparedQuery<T & { webhook_delivery_ids: string[] }>(
      manager,
      change.name,
      `WITH ${change.ctes}, ev AS (
         INSERT INTO webhook_events (id, type, department_code, level, data, fanned_out_at)
         SELECT id, type, department_code, level, data, now() FROM ${change.events}
         RETURNING id, type, department_code, level, occurred_at
       ), d AS (${DELIVERIES_OF_EV})
       SELECT ${change.select}, ARRAY(SELECT d.id::text FROM d WHERE d.event_id = ${change.eventId}) AS webhook_delivery_ids
         FROM ${change.from}`,
      change.params,
    );
    return rows.map(({ webhook_delivery_ids, ...row }) => ({ row: row as unknown as T, deliveryIds: webhook_delivery_ids }));
  }

  /**
   * Deletes events that happened more than `olderThanDays` ago and are settled — every delivery
   * delivered or failed, none pending or sending — with their deliveries and attempts, `batch`
   * events at a time. They hold no personal data; this only bounds the tables. Returns how many
   * events were deleted.
   */
  async pruneSettled(olderThanDays: number, batch = 1000): Promise<number> {
    let deleted = 0;
    for (;;) {
      const [row]: { n: number }[] = await this.dataSource.query(
        `WITH old AS (
           SELECT ev.id FROM webhook_events ev
            WHERE ev.occurred_at < now() - ($1::int * interval '1 day')
              AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = ev.id AND d.status IN ('pending', 'sending'))
            LIMIT $2
         ), d AS (
           SELECT id FROM webhook_deliveries WHERE event_id IN (SELECT id FROM old)
         ), a AS (
           DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM d)
         ), dd AS (
           DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM d) AND status IN ('delivered', 'failed')
         ), e AS (
           DELETE FROM webhook_events WHERE id IN (SELECT id FROM old) RETURNING 1
         )
         -- The foreign keys (NO ACTION) are checked at the end of the statement, once all three are
         -- gone; a delivery redelivered meanwhile stays, and its event's DELETE then fails the statement.
         SELECT count(*)::int AS n FROM e`,
        [olderThanDays, batch],
      );
      deleted += row.n;
      if (row.n < batch) return deleted;
    }
  }

  findById(id: string, manager: EntityManager = this.dataSource.manager): Promise<WebhookEventEntity | null> {
    return manager.getRepository(WebhookEventEntity).findOneBy({ id });
  }
}
