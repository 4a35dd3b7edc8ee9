import { makeClient, startTestApp, TestApp } from '@vigie/testing';

describe('the queue dashboard', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ worker: false });
  });
  afterAll(() => t.close());

  const basic = (key: string) => `Basic ${Buffer.from(`admin:${key}`).toString('base64')}`;

  it('is open to an admin key, by Basic auth in a browser or by Bearer', async () => {
    const page = await t.http.get('/admin/queues').set('Authorization', basic(t.adminKey)).expect(200);
    expect(page.text).toContain('<html');
    const queues = await t.http.get('/admin/queues/api/queues').set('Authorization', `Bearer ${t.adminKey}`).expect(200);
    expect(queues.body.queues.map((q: { name: string }) => q.name)).toContain('triage');
  });

  it('is closed to anyone else', async () => {
    const foyer = await makeClient(t, { role: 'police', departmentCodes: ['75'] });
    const anonymous = await t.http.get('/admin/queues').expect(401);
    expect(anonymous.headers['www-authenticate']).toBe('Basic realm="Vigie queues", Bearer');
    const notAdmin = await t.http.get('/admin/queues/api/queues').set('Authorization', `Bearer ${foyer.key}`).expect(401);
    expect(notAdmin.headers['www-authenticate']).toBe('Basic realm="Vigie queues", Bearer error="insufficient_scope"');
    const unknown = await t.http.get('/admin/queues/api/queues').set('Authorization', 'Bearer vig_not_a_key_0123456789').expect(401);
    expect(unknown.headers['www-authenticate']).toBe('Basic realm="Vigie queues", Bearer error="invalid_token"');
    await t.http.get('/admin/queues').set('Authorization', basic('vig_not_a_key')).expect(401);
  });
});
