import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { Client } from 'pg';
import request from 'supertest';
import { bearer, birthDateForAge, createTestDatabase, freePort, TestDatabase, testEnv, waitFor } from '@vigie/testing';

/**
 * A youth's identity and an episode's free text go in through the API, and must come out only
 * through the API: never in the logs (even at debug level), never in Redis (job payloads carry
 * ids only), never in plain text in PostgreSQL (encrypted at rest), never echoed in an error.
 * The real service runs as a child process, as `npm start` runs it.
 */

const ROOT = join(__dirname, '..', '..');

// The service runs as its own process, on the machine's clock: so do the instants sent to it.
const BIRTH_DATE = birthDateForAge(15, new Date());

/** Distinctive fictitious values: each one is searched for everywhere afterwards. */
const MARKERS = {
  firstName: 'Zqxprenom',
  lastName: 'Zqxnom',
  birthDate: BIRTH_DATE,
  phone: '+33600000042',
  description: 'Zqxdescription cheveux courts',
  photoUrl: 'https://photos.invalid/zqxphoto.jpg',
  usualPlace: 'Zqxlieuhabituel gare',
  medicalDetails: 'Zqxmedical traitement',
  lastSeenPlace: 'Zqxdernierlieu parc',
  clothing: 'Zqxvetements veste rouge',
  circumstances: 'Zqxcirconstances dispute',
  vehicle: 'Zqxvehicule scooter',
  staffConcernNote: 'Zqxinquietude educateur',
  policeService: 'Zqxcommissariat',
  policeReference: 'Zqxprocesverbal',
  updateNote: 'Zqxnotemiseajour',
  updateConcernNote: 'Zqxnotesuivi',
  sightingPlace: 'Zqxlieuapercu',
  overrideReason: 'Zqxraisonforcage',
  locatedPlace: 'Zqxlieulocalise',
  returnPlace: 'Zqxlieuretour',
  closeReason: 'Zqxraisonfermeture',
  companionAlias: 'Zqxaliascompagnon',
  plate: 'ZQX4219',
  vehicleDescription: 'Zqxdescriptionvehicule',
  placeAddress: 'Zqxadressehotel',
  rejectedName: 'Zqxrejete',
  rejectedDate: 'Zqxpasunedate',
  rejectedPhone: 'Zqxtelephone',
  rejectedIndicator: 'Zqxindicateur',
  rejectedJson: 'Zqxjsoncasse',
  rejectedQuery: 'Zqxrequete',
  unknownField: 'Zqxsurnom',
};

/** The forms a marker could take: as sent, lower-cased, the phone's digits, and hex (bytea columns). */
const NEEDLES = Object.entries(MARKERS).flatMap(([name, value]) => {
  const forms = [value.toLowerCase(), Buffer.from(value).toString('hex')];
  if (name === 'phone') forms.push(value.replace(/\D/g, '').slice(-9));
  return forms.map((form) => ({ name, form }));
});

/**
 * The markers found in a text; [] when it is clean. Whole markers only: a short piece such as
 * "zqx" turns up by chance in long base64 ciphertexts.
 */
function markersIn(text: string): string[] {
  const haystack = text.toLowerCase();
  return [...new Set(NEEDLES.filter(({ form }) => haystack.includes(form)).map(({ name }) => name))].sort();
}

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

describe('personal data never leaves the API', () => {
  let database: TestDatabase;
  let env: Record<string, string>;
  let vigie: ChildProcess;
  let exited: Promise<number | null>;
  const output: Buffer[] = [];
  let http: ReturnType<typeof request>;
  const errorBodies: { what: string; status: number; body: string }[] = [];
  let fugueId = '';
  let youthId = '';

  /** Sends a request meant to be refused and keeps its error body for the checks. */
  async function refused(what: string, req: request.Test): Promise<request.Response> {
    const res = await req;
    errorBodies.push({ what, status: res.status, body: res.text });
    return res;
  }

  beforeAll(async () => {
    execFileSync(process.execPath, ['scripts/start.mjs', 'build-only'], { cwd: ROOT, stdio: 'pipe' });
    database = await createTestDatabase();
    const port = await freePort();
    env = testEnv(database, { PORT: String(port), LOG_LEVEL: 'debug' });
    vigie = spawn(process.execPath, ['dist/apps/standalone/src/main.js'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    vigie.stdout!.on('data', (chunk: Buffer) => output.push(chunk));
    vigie.stderr!.on('data', (chunk: Buffer) => output.push(chunk));
    exited = new Promise((resolve) => vigie.once('exit', (code) => resolve(code)));
    http = request(`http://127.0.0.1:${port}`);
    await waitFor(async () => (await http.get('/health/ready')).status === 200, { timeoutMs: 30000, what: 'the service to be ready' });

    const admin = bearer(env.VIGIE_BOOTSTRAP_ADMIN_KEY);
    const foyer = (await http.post('/v1/foyers').set(admin).send({ name: 'Foyer Testfoyer', departmentCode: '75', kind: 'ase' }).expect(201)).body;
    const foyerKey = bearer((await http.post('/v1/api-clients').set(admin).send({ name: 'foyer', role: 'foyer', foyerIds: [foyer.id] }).expect(201)).body.key);
    const policeKey = bearer((await http.post('/v1/api-clients').set(admin).send({ name: 'police', role: 'police', departmentCodes: ['75'] }).expect(201)).body.key);

    const youth = await http
      .post('/v1/youths')
      .set(foyerKey)
      .send({
        foyerId: foyer.id,
        firstName: MARKERS.firstName,
        lastName: MARKERS.lastName,
        birthDate: MARKERS.birthDate,
        sex: 'F',
        phone: MARKERS.phone,
        description: MARKERS.description,
        photoUrl: MARKERS.photoUrl,
        usualPlaces: [MARKERS.usualPlace],
        medical: { vitalTreatment: true, details: MARKERS.medicalDetails },
      })
      .expect(201);
    youthId = youth.body.id;
    // The API gives the identity back to a caller in scope: the markers do go in and out.
    expect(youth.body).toMatchObject({ firstName: MARKERS.firstName, phone: MARKERS.phone, medical: { details: MARKERS.medicalDetails } });

    const fugue = await http
      .post('/v1/fugues')
      .set(foyerKey)
      .send({
        youthId,
        noticedMissingAt: minutesAgo(30),
        lastSeenAt: minutesAgo(40),
        lastSeenPlace: MARKERS.lastSeenPlace,
        clothing: MARKERS.clothing,
        circumstances: MARKERS.circumstances,
        departedWith: 'alone',
        vehicle: MARKERS.vehicle,
        belongings: { phone: false, money: false, idDocument: false },
        indicators: ['SUBSTANCE_USE'],
        staffConcern: { worrying: true, note: MARKERS.staffConcernNote },
        policeReport: { service: MARKERS.policeService, reference: MARKERS.policeReference },
        connections: {
          companions: [{ alias: MARKERS.companionAlias, approximateAge: 17 }],
          places: [{ kind: 'hotel', communeCode: '75056', address: MARKERS.placeAddress }],
        },
      })
      .expect(201);
    fugueId = fugue.body.id;
    await waitFor(async () => (await http.get(`/v1/fugues/${fugueId}`).set(foyerKey)).body.classification, { timeoutMs: 15000, what: 'the first triage' });

    await http
      .post(`/v1/fugues/${fugueId}/updates`)
      .set(policeKey)
      .send({
        note: MARKERS.updateNote,
        staffConcern: { worrying: true, note: MARKERS.updateConcernNote },
        sighting: { at: minutesAgo(20), place: MARKERS.sightingPlace },
        connections: { vehicles: [{ plate: MARKERS.plate, description: MARKERS.vehicleDescription }] },
      })
      .expect(201);
    await http.post(`/v1/fugues/${fugueId}/override`).set(policeKey).send({ level: 'worrying', reason: MARKERS.overrideReason }).expect(200);
    await http.post(`/v1/fugues/${fugueId}/located`).set(policeKey).send({ at: minutesAgo(10), place: MARKERS.locatedPlace }).expect(200);
    await http.post(`/v1/fugues/${fugueId}/return`).set(foyerKey).send({ returnedAt: minutesAgo(5), foundBy: 'police', place: MARKERS.returnPlace }).expect(200);
    await http.post(`/v1/fugues/${fugueId}/close`).set(foyerKey).send({ reason: MARKERS.closeReason }).expect(200);

    // Everything came back through the API, decrypted, to a caller in scope.
    const full = (await http.get(`/v1/fugues/${fugueId}`).set(foyerKey).expect(200)).body;
    expect(full).toMatchObject({
      lastSeenPlace: MARKERS.lastSeenPlace,
      override: { reason: MARKERS.overrideReason },
      located: { place: MARKERS.locatedPlace },
      returned: { place: MARKERS.returnPlace },
      ended: { reason: MARKERS.closeReason },
      youth: { firstName: MARKERS.firstName, birthDate: MARKERS.birthDate },
    });
    const timeline = JSON.stringify((await http.get(`/v1/fugues/${fugueId}/timeline`).set(foyerKey).expect(200)).body);
    expect(timeline).toContain(MARKERS.updateNote);
    expect(timeline).toContain(MARKERS.sightingPlace);
    // The search below finds each accepted value where it legitimately is: in the API's answers.
    const accepted = Object.keys(MARKERS).filter((name) => !name.startsWith('rejected') && name !== 'unknownField');
    expect(markersIn(JSON.stringify(full) + timeline)).toEqual(accepted.sort());

    // Requests refused with personal data in the rejected fields.
    const youthRefused = await refused(
      'invalid youth',
      http.post('/v1/youths').set(foyerKey).send({
        foyerId: foyer.id,
        firstName: MARKERS.rejectedName.repeat(20),
        lastName: MARKERS.lastName,
        birthDate: MARKERS.rejectedDate,
        sex: 'F',
        phone: MARKERS.rejectedPhone,
      }),
    );
    expect(youthRefused.status).toBe(400);
    expect(youthRefused.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['birthDate', 'firstName', 'phone']);
    const fugueRefused = await refused(
      'invalid fugue',
      http.post('/v1/fugues').set(foyerKey).send({
        youthId,
        noticedMissingAt: MARKERS.rejectedDate,
        lastSeenPlace: MARKERS.rejectedName.repeat(300),
        indicators: [MARKERS.rejectedIndicator],
        nickname: MARKERS.unknownField,
      }),
    );
    expect(fugueRefused.status).toBe(400);
    expect(fugueRefused.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['indicators', 'lastSeenPlace', 'nickname', 'noticedMissingAt']);
    const updateRefused = await refused(
      'invalid youth change',
      http.patch(`/v1/youths/${youthId}`).set(foyerKey).send({ phone: MARKERS.rejectedPhone, usualPlaces: [MARKERS.rejectedName.repeat(30)] }),
    );
    expect(updateRefused.status).toBe(400);
    const jsonRefused = await refused(
      'malformed JSON',
      http.post('/v1/youths').set(foyerKey).set('Content-Type', 'application/json').send(`{"firstName": "${MARKERS.rejectedJson}", `),
    );
    expect(jsonRefused.status).toBe(400);
    const queryRefused = await refused('invalid query', http.get(`/v1/fugues?foyerId=${MARKERS.rejectedQuery}`).set(foyerKey));
    expect(queryRefused.status).toBe(400);

    // Let every triage asked for by these changes run, then stop the service so that its logs are complete.
    await waitFor(
      async () => {
        const rows = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE job_name = 'fugue.triage' AND processed_at IS NULL`);
        return rows[0].n === 0;
      },
      { timeoutMs: 20000, what: 'every triage to run' },
    );
    vigie.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 120_000);

  afterAll(async () => {
    if (vigie && vigie.exitCode === null && vigie.signalCode === null) {
      vigie.kill('SIGKILL');
      await exited;
    }
    await database?.drop();
  });

  async function sql<T>(text: string): Promise<T[]> {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      return (await client.query(text)).rows as T[];
    } finally {
      await client.end();
    }
  }

  it('writes no marker in the logs, even at debug level', () => {
    const logs = Buffer.concat(output).toString();
    // The capture is real: it holds the request lines of this run.
    expect(logs).toContain('"msg":"POST /v1/fugues 201"');
    expect(logs).toContain('"msg":"POST /v1/fugues 400"');
    expect(markersIn(logs)).toEqual([]);
  });

  it('puts no marker in Redis: queue keys and job data carry ids only', async () => {
    const redis = new IORedis(env.REDIS_URL, { maxRetriesPerRequest: 1 });
    try {
      const keys: string[] = [];
      const stream = redis.scanStream({ match: `${env.VIGIE_QUEUE_PREFIX}:*`, count: 500 });
      for await (const batch of stream) keys.push(...(batch as string[]));
      const dump: string[] = [];
      for (const key of keys) {
        const type = await redis.type(key);
        if (type === 'string') dump.push((await redis.getBuffer(key))?.toString('latin1') ?? '');
        else if (type === 'hash') dump.push(JSON.stringify(await redis.hgetall(key)));
        else if (type === 'list') dump.push(JSON.stringify(await redis.lrange(key, 0, -1)));
        else if (type === 'set') dump.push(JSON.stringify(await redis.smembers(key)));
        else if (type === 'zset') dump.push(JSON.stringify(await redis.zrange(key, 0, -1, 'WITHSCORES')));
        else if (type === 'stream') dump.push(JSON.stringify(await redis.xrange(key, '-', '+')));
        dump.push(key);
      }
      const text = dump.join('\n');
      // The scan found this run's jobs: their data names the episode by id.
      expect(keys.length).toBeGreaterThan(0);
      expect(text).toContain(fugueId);
      expect(markersIn(text)).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });

  it('stores no marker in plain text in any PostgreSQL column', async () => {
    const tables = await sql<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`);
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['youths', 'fugues', 'fugue_updates', 'fugue_events', 'outbox', 'idempotency_keys', 'audit_log']));
    const leaks: { table: string; markers: string[] }[] = [];
    let rows = 0;
    for (const { name } of tables) {
      const found = await sql<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM "${name}" t`);
      rows += found.length;
      const markers = markersIn(found.map((r) => r.row).join('\n'));
      if (markers.length > 0) leaks.push({ table: name, markers });
    }
    expect(rows).toBeGreaterThan(100);
    expect(leaks).toEqual([]);
    // The identity is there, encrypted.
    const [youth] = await sql<{ identity_enc: string | null }>(`SELECT identity_enc FROM youths WHERE id = '${youthId}'`);
    expect(youth.identity_enc).toEqual(expect.any(String));
  });

  it('never echoes a rejected value in an error body', () => {
    expect(errorBodies.map((e) => e.what)).toEqual(['invalid youth', 'invalid fugue', 'invalid youth change', 'malformed JSON', 'invalid query']);
    for (const { what, status, body } of errorBodies) {
      expect({ what, status, markers: markersIn(body) }).toEqual({ what, status: 400, markers: [] });
      expect(JSON.parse(body)).toEqual(expect.objectContaining({ statusCode: 400, code: expect.stringMatching(/^(VALIDATION_FAILED|MALFORMED_JSON)$/), correlationId: expect.any(String) }));
    }
  });
});
