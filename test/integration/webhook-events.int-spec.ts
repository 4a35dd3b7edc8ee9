import { DataSource } from 'typeorm';
import { UnitOfWork, WebhookEventService } from '@vigie/domain';
import { startTestApp, TestApp, waitFor } from '@vigie/testing';

/** The emission contract other features rely on: an event lives and dies with the caller's transaction. */
describe('emitting a webhook event', () => {
  let t: TestApp;
  let events: WebhookEventService;
  let uow: UnitOfWork;
  let db: DataSource;

  beforeAll(async () => {
    t = await startTestApp({ api: false });
    events = t.app.get(WebhookEventService);
    uow = t.app.get(UnitOfWork);
    db = t.dataSource;
  });
  afterAll(() => t.close());

  const eventRows = (fugueId: string) =>
    db.query(`SELECT id, type, department_code, level, data, fanned_out_at FROM webhook_events WHERE data->>'fugueId' = $1`, [fugueId]);

  it('writes the event and its fan-out in the caller transaction, without a fan-out job', async () => {
    const fugueId = '00000000-0000-4000-8000-000000000001';
    await uow.run((work) =>
      events.emit(work, 'fugue.closed', { fugueId, departmentCode: '75', status: 'closed' }, { departmentCode: '75', level: 'routine' }),
    );
    const [row] = await eventRows(fugueId);
    expect(row).toMatchObject({ type: 'fugue.closed', department_code: '75', level: 'routine', data: { fugueId, departmentCode: '75', status: 'closed' } });
    // With no endpoint subscribed, the fan-out reaches nobody but is done with the commit.
    expect(row.fanned_out_at).not.toBeNull();
    expect(await db.query(`SELECT 1 FROM outbox WHERE job_name = 'webhook.fanout' AND payload->>'eventId' = $1`, [row.id])).toHaveLength(0);
    expect(await db.query(`SELECT 1 FROM webhook_deliveries WHERE event_id = $1`, [row.id])).toHaveLength(0);
  });

  it('leaves nothing behind when the caller rolls back', async () => {
    const fugueId = '00000000-0000-4000-8000-000000000002';
    await expect(
      uow.run(async (work) => {
        await events.emit(work, 'fugue.located', { fugueId, departmentCode: '75', at: new Date().toISOString() }, { departmentCode: '75' });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await eventRows(fugueId)).toHaveLength(0);
  });

  it('is written by one autocommitted statement when the caller has no transaction', async () => {
    const fugueId = '00000000-0000-4000-8000-000000000003';
    await uow.statement((work) => events.emit(work, 'fugue.closed', { fugueId, departmentCode: '13', status: 'cancelled' }, { departmentCode: '13' }));
    const [row] = await eventRows(fugueId);
    expect(row.fanned_out_at).not.toBeNull();
  });
});
