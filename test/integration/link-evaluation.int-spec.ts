import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { EntityManager } from 'typeorm';
import { ConnectionService, ConnectionsInput, FugueTriageService, LinkEvaluationService, PlaceKind } from '@vigie/domain';
import { FugueRepository } from '@vigie/persistence';
import { declareFugue, makeClient, makeFoyer, makeYouth, startTestApp, TestApp } from '@vigie/testing';

/**
 * Link evaluation against PostgreSQL (spec/links.md § When two episodes are linked): the links
 * the triage stores — candidates read through the blind indexes, decided by the rules — equal
 * those of a naive evaluation of every pair written here from the clear values, whatever the
 * order the facts arrive in; evaluating again stores nothing new; the candidate query reads
 * through indexes only.
 */

const HOUR = 3600_000;
const BASE = Date.parse('2026-06-01T08:00:00Z');
const NOW = new Date(BASE + 200 * HOUR);
const at = (hours: number) => new Date(BASE + hours * HOUR);

interface Fact {
  companions?: { youth?: number; alias?: string }[];
  vehicles?: { plate: string }[];
  places?: { kind: PlaceKind; address: string; communeCode: string }[];
}

interface EpisodeSpec {
  youth: number;
  t0: number;
  lastSeenBefore: number | null;
  departedWith: 'peers' | 'alone' | null;
  end: { kind: 'returned' | 'located' | 'cancelled' | 'open'; after: number };
  facts: Fact[];
}

// Two foyers in 75, one in 92; youths 0–2 in foyer A (75), 3–4 in foyer B (75), 5 in foyer C (92).
const YOUTH_FOYER = [0, 0, 0, 1, 1, 2];
const ALIASES = ['Zoé Testa', 'zoe  testa', 'ZOÉ TESTA ', 'Léa Testb'];
const PLATES = ['AB-123-CD', 'ab 123 cd', '1234 AB 75', '1234-ab-75', 'B MW 12'];
const ADDRESSES = ['1 rue Test', '1 Rue  test'];

const factArb: fc.Arbitrary<Fact> = fc.oneof(
  fc.record({ companions: fc.constant([]).chain(() => fc.array(fc.oneof(fc.record({ youth: fc.integer({ min: 0, max: 5 }) }), fc.record({ alias: fc.constantFrom(...ALIASES) })), { minLength: 1, maxLength: 2 })) }),
  fc.record({ vehicles: fc.array(fc.record({ plate: fc.constantFrom(...PLATES) }), { minLength: 1, maxLength: 2 }) }),
  fc.record({
    places: fc.array(
      fc.record({ kind: fc.constantFrom<PlaceKind>('hotel', 'private_home', 'station'), address: fc.constantFrom(...ADDRESSES), communeCode: fc.constantFrom('75056', '93066') }),
      { minLength: 1, maxLength: 2 },
    ),
  }),
);

const episodeArb: fc.Arbitrary<EpisodeSpec> = fc.record({
  youth: fc.integer({ min: 0, max: 5 }),
  t0: fc.constantFrom(0, 1, 1.5, 2, 3, 26, 50, 52, 100),
  lastSeenBefore: fc.constantFrom(null, 0.5, 2),
  departedWith: fc.constantFrom('peers' as const, 'alone' as const, null),
  end: fc.record({ kind: fc.constantFrom('returned' as const, 'located' as const, 'cancelled' as const, 'open' as const), after: fc.constantFrom(0.5, 2, 24) }),
  facts: fc.array(factArb, { maxLength: 2 }),
});

/** The naive evaluation: every pair, from the clear values, with normalisations written anew here. */
function naiveLinks(episodes: EpisodeSpec[], foyerDepartment: string[]): Map<string, string[]> {
  const plate = (p: string) => p.replace(/[\s-]/g, '').toUpperCase();
  const text = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().split(/\s+/).filter(Boolean).join(' ');
  const all = (e: EpisodeSpec) => ({
    youths: e.facts.flatMap((f) => (f.companions ?? []).filter((c) => c.youth !== undefined).map((c) => c.youth as number)),
    aliases: e.facts.flatMap((f) => (f.companions ?? []).filter((c) => c.alias).map((c) => text(c.alias as string))),
    plates: e.facts.flatMap((f) => (f.vehicles ?? []).map((v) => plate(v.plate))),
    places: e.facts.flatMap((f) => (f.places ?? []).filter((p) => p.kind !== 'station').map((p) => `${p.communeCode}|${text(p.address)}`)),
  });
  const window = (e: EpisodeSpec) => {
    const end = e.end.kind === 'open' ? NOW.getTime() : at(e.t0 + e.end.after).getTime();
    return [at(e.t0).getTime() - 24 * HOUR, end + 24 * HOUR];
  };
  const departure = (e: EpisodeSpec) => at(e.t0 - (e.lastSeenBefore ?? 0)).getTime();
  const links = new Map<string, string[]>();
  for (let i = 0; i < episodes.length; i++) {
    for (let j = i + 1; j < episodes.length; j++) {
      const [a, b] = [episodes[i], episodes[j]];
      if (a.youth === b.youth) continue;
      const [wa, wb] = [window(a), window(b)];
      if (!(wa[0] <= wb[1] && wb[0] <= wa[1])) continue;
      const [fa, fb] = [all(a), all(b)];
      const sameDepartment = foyerDepartment[YOUTH_FOYER[a.youth]] === foyerDepartment[YOUTH_FOYER[b.youth]];
      const reasons: string[] = [];
      if (fa.youths.includes(b.youth) || fb.youths.includes(a.youth)) reasons.push('NAMED_COMPANION');
      if (fa.plates.some((p) => fb.plates.includes(p))) reasons.push('SAME_VEHICLE');
      if (fa.places.some((p) => fb.places.includes(p))) reasons.push('SAME_PLACE');
      if (sameDepartment && fa.aliases.some((x) => fb.aliases.includes(x))) reasons.push('SAME_ALIAS');
      if (YOUTH_FOYER[a.youth] === YOUTH_FOYER[b.youth] && Math.abs(departure(a) - departure(b)) < 2 * HOUR && (a.departedWith === 'peers' || b.departedWith === 'peers')) {
        reasons.push('LEFT_TOGETHER');
      }
      if (reasons.length > 0) links.set(`${i}-${j}`, reasons.sort());
    }
  }
  return links;
}

describe('link evaluation', () => {
  let t: TestApp;
  let evaluation: LinkEvaluationService;
  let connections: ConnectionService;
  let fugues: FugueRepository;
  const foyers: { id: string; departmentCode: string }[] = [];
  const youths: string[] = [];

  beforeAll(async () => {
    t = await startTestApp({ worker: false, api: true });
    evaluation = t.app.get(LinkEvaluationService);
    connections = t.app.get(ConnectionService);
    fugues = t.app.get(FugueRepository);
    for (const departmentCode of ['75', '75', '92']) foyers.push(await makeFoyer(t, { departmentCode }));
    for (const foyer of YOUTH_FOYER) {
      const [row] = await t.dataSource.query(`INSERT INTO youths (foyer_id, sex) VALUES ($1, 'F') RETURNING id`, [foyers[foyer].id]);
      youths.push(row.id);
    }
  });
  afterAll(() => t?.close());

  const evaluate = (fugueId: string) =>
    t.dataSource.transaction(async (manager) => evaluation.evaluate(manager, (await fugues.findById(fugueId, manager))!, NOW));

  async function insertEpisode(e: EpisodeSpec, openYouths: Set<number>): Promise<string> {
    const id = randomUUID();
    const foyer = foyers[YOUTH_FOYER[e.youth]];
    // One open episode per youth: a second one of the same youth is returned instead.
    const kind = (e.end.kind === 'open' || e.end.kind === 'located') && openYouths.has(e.youth) ? 'returned' : e.end.kind;
    if (kind === 'open' || kind === 'located') openYouths.add(e.youth);
    const endAt = at(e.t0 + e.end.after);
    await t.dataSource.query(
      `INSERT INTO fugues (id, youth_id, foyer_id, department_code, status, noticed_missing_at, last_seen_at, departed_with, located_at, returned_at, ended_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        id,
        youths[e.youth],
        foyer.id,
        foyer.departmentCode,
        kind === 'open' ? 'missing' : kind,
        at(e.t0),
        e.lastSeenBefore === null ? null : at(e.t0 - e.lastSeenBefore),
        e.departedWith,
        kind === 'located' ? endAt : null,
        kind === 'returned' ? endAt : null,
        kind === 'cancelled' ? endAt : null,
      ],
    );
    e.end = { kind: kind, after: e.end.after };
    return id;
  }

  const toInput = (f: Fact): ConnectionsInput => ({
    companions: f.companions?.map((c) => (c.youth !== undefined ? { youthId: youths[c.youth] } : { alias: c.alias })),
    vehicles: f.vehicles,
    places: f.places,
  });

  async function storedLinks(ids: string[]): Promise<Map<string, string[]>> {
    const rows: { fugue_a: string; fugue_b: string; reasons: string[] }[] = await t.dataSource.query(
      `SELECT fugue_a, fugue_b, reasons FROM fugue_links WHERE fugue_a = ANY($1::uuid[]) OR fugue_b = ANY($1::uuid[])`,
      [ids],
    );
    return new Map(
      rows.map((r) => {
        const [i, j] = [ids.indexOf(r.fugue_a), ids.indexOf(r.fugue_b)].sort((x, y) => x - y);
        return [`${i}-${j}`, [...r.reasons].sort()];
      }),
    );
  }

  async function cleanUp(): Promise<void> {
    await t.dataSource.query(`DELETE FROM fugues WHERE youth_id = ANY($1::uuid[])`, [youths]);
  }

  it('stores the links of a naive all-pairs evaluation, whatever the order facts arrive in, and once only', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(episodeArb, { minLength: 2, maxLength: 5 }), fc.array(fc.nat(), { minLength: 12, maxLength: 12 }), async (episodes, order) => {
        await cleanUp();
        try {
          const openYouths = new Set<number>();
          const ids: string[] = [];
          // Declarations first, each evaluated as its triage would; then the facts, shuffled, each
          // evaluated on the episode it was added to.
          for (const e of episodes) {
            ids.push(await insertEpisode(e, openYouths));
            await evaluate(ids[ids.length - 1]);
          }
          const facts = episodes.flatMap((e, i) => e.facts.map((fact) => ({ i, fact })));
          const shuffled = facts.map((f, k) => ({ f, key: order[k % order.length] + k / 100 })).sort((a, b) => a.key - b.key).map((x) => x.f);
          for (const { i, fact } of shuffled) {
            await t.dataSource.transaction((manager) => connections.store(manager, ids[i], 'update', toInput(fact)));
            await evaluate(ids[i]);
          }
          const expected = naiveLinks(episodes, foyers.map((f) => f.departmentCode));
          expect(Object.fromEntries(await storedLinks(ids))).toEqual(Object.fromEntries(expected));
          // Evaluating again finds nothing new and stores one row per pair.
          for (const id of ids) expect(await evaluate(id)).toEqual([]);
          const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM fugue_links WHERE fugue_a = ANY($1::uuid[]) OR fugue_b = ANY($1::uuid[])`, [ids]);
          expect(n).toBe(expected.size);
        } finally {
          await cleanUp();
        }
      }),
      { numRuns: 60 },
    );
  });

  it('stores a link once per pair with every reason, found from either side, keeping the time it was first found', async () => {
    await cleanUp();
    const open = new Set<number>();
    const a = await insertEpisode({ youth: 0, t0: 0, lastSeenBefore: null, departedWith: 'peers', end: { kind: 'open', after: 1 }, facts: [] }, open);
    const b = await insertEpisode({ youth: 1, t0: 1, lastSeenBefore: null, departedWith: null, end: { kind: 'open', after: 1 }, facts: [] }, open);
    expect(await evaluate(a)).toEqual([{ otherId: b, reasons: ['LEFT_TOGETHER'], added: ['LEFT_TOGETHER'], created: true }]);
    expect(await evaluate(b)).toEqual([]);
    const [first] = await t.dataSource.query(`SELECT found_at FROM fugue_links`);
    await t.dataSource.transaction((manager) => connections.store(manager, b, 'update', { vehicles: [{ plate: '1234 AB 75' }] }));
    await t.dataSource.transaction((manager) => connections.store(manager, a, 'update', { vehicles: [{ plate: '1234-ab-75' }] }));
    expect(await evaluate(a)).toEqual([{ otherId: b, reasons: ['SAME_VEHICLE', 'LEFT_TOGETHER'], added: ['SAME_VEHICLE'], created: false }]);
    expect(await evaluate(b)).toEqual([]);
    const rows = await t.dataSource.query(`SELECT fugue_a, fugue_b, reasons, found_at FROM fugue_links`);
    expect(rows).toEqual([{ fugue_a: [a, b].sort()[0], fugue_b: [a, b].sort()[1], reasons: ['LEFT_TOGETHER', 'SAME_VEHICLE'], found_at: first.found_at }]);
    await cleanUp();
  });

  it('stores one link and tells it once when both episodes are triaged in one batch, and nothing more when triaged again', async () => {
    const triage = t.app.get(FugueTriageService);
    const key = (await makeClient(t, { role: 'foyer', foyerIds: [foyers[0].id, foyers[2].id] })).key;
    const declared: string[] = [];
    for (const foyer of [foyers[0], foyers[2]]) {
      const youth = await makeYouth(t, key, foyer.id);
      declared.push((await declareFugue(t, key, youth.id, { connections: { vehicles: [{ plate: 'BT-777-CH' }] } })).id);
    }
    const jobs = async (cause: 'declared' | 'linked') => {
      const rows: { id: string; fugue_id: string }[] = await t.dataSource.query(
        `SELECT id::text, payload->>'fugueId' AS fugue_id FROM outbox WHERE payload->>'fugueId' = ANY($1::text[]) AND payload->>'cause' = $2 AND processed_at IS NULL ORDER BY id`,
        [declared, cause],
      );
      return rows.map((r) => ({ fugueId: r.fugue_id, cause, outboxId: r.id }));
    };
    const together = await jobs('declared');
    expect(together).toHaveLength(2);
    await triage.triageTogether(together);
    const state = async () =>
      t.dataSource.query(
        `SELECT (SELECT count(*)::int FROM fugue_links WHERE fugue_a = ANY($1::uuid[]) AND fugue_b = ANY($1::uuid[])) AS links,
                (SELECT count(*)::int FROM fugue_events WHERE fugue_id = ANY($1::uuid[]) AND type = 'linked') AS events,
                (SELECT count(*)::int FROM webhook_events WHERE type = 'fugue.linked' AND data->>'fugueId' = ANY($1::text[])) AS "webhookEvents"`,
        [declared],
      );
    expect(await state()).toEqual([{ links: 1, events: 2, webhookEvents: 2 }]);
    // The re-triage the link asked for, and a replay of the batch, find nothing new.
    await triage.triageTogether(await jobs('linked'));
    await triage.triageTogether(together);
    expect(await state()).toEqual([{ links: 1, events: 2, webhookEvents: 2 }]);
  });

  /**
   * The plan of the prepared statement `name` that `run` sends, as PostgreSQL makes it once for
   * any parameters (its generic plan), with sequential scans discouraged.
   */
  const genericPlanOf = (name: string, run: (manager: EntityManager) => Promise<unknown>): Promise<string> =>
    t.dataSource.transaction(async (manager) => {
      type Prepared = { name?: string; text: string; values: unknown[] };
      const client = (await manager.queryRunner!.connect()) as { query: (config: unknown, values?: unknown) => Promise<unknown> };
      const original = client.query;
      let statement: Prepared | null = null;
      client.query = async (config: unknown, values?: unknown) => {
        if ((config as Prepared).name !== name) return original.call(client, config, values);
        statement = config as Prepared;
        return { rows: [] };
      };
      try {
        await run(manager);
      } finally {
        client.query = original;
      }
      expect(statement).not.toBeNull();
      const { text, values } = statement as unknown as Prepared;
      await manager.query(`SET LOCAL enable_seqscan = off`);
      await manager.query(`SET LOCAL plan_cache_mode = force_generic_plan`);
      await manager.query(`PREPARE statement_under_test AS ${text}`);
      // EXECUTE takes its arguments as literals: those of the values as the driver sends them.
      const [{ literals }]: { literals: string[] }[] = await manager.query(
        `SELECT ARRAY[${values.map((_, i) => `quote_literal($${i + 1}::text)`).join(', ')}] AS literals`,
        values,
      );
      const rows: { 'QUERY PLAN': string }[] = await manager.query(`EXPLAIN EXECUTE statement_under_test(${literals.join(', ')})`);
      await manager.query(`DEALLOCATE statement_under_test`);
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });

  /**
   * What every plan of the candidates shows. `foyer` and `peers`: how the plan names the episode's
   * foyer and whether it left with peers, as patterns.
   */
  const expectCandidatesThroughIndexes = (plan: string, foyer: string, peers: string) => {
    expect(plan).not.toMatch(/Seq Scan on (fugues|fugue_connections)/);
    // Each branch is keyed by its index: the blind indexes, the youth named, the youth's episodes, the foyer.
    expect(plan.match(/Index Cond: \(blind_index = ANY/g)).toHaveLength(3);
    expect(plan).toMatch(/fugue_connections_companion_idx[^\n]*\n\s*Index Cond: \(companion_youth_id =/);
    expect(plan).toMatch(/fugues_youth_idx[^\n]*\n\s*Index Cond: \(youth_id = ANY/);
    // The foyer's departures with peers by foyer (through their partial index once the table is
    // large); the others by foyer, in a branch that runs only after a departure with peers.
    expect(plan).toMatch(
      new RegExp(`fugues_foyer_peers_departure_idx[^\\n]*\\n\\s*Index Cond: \\(\\(foyer_id = ${foyer}\\)|Index Cond: \\(foyer_id = ${foyer}\\)\\n\\s*Filter: \\(\\(departed_with = 'peers'`),
    );
    expect(plan).toMatch(new RegExp(`One-Time Filter: ${peers}`));
  };

  it('reads candidates through indexes only, never a scan of the episodes, in the plan prepared once for any parameters', async () => {
    const { LinkRepository } = await import('@vigie/persistence');
    for (const departedWithPeers of [true, false]) {
      const plan = await genericPlanOf('vigie_link_candidates', (manager) =>
        t.app.get(LinkRepository).linkCandidates(
          manager,
          { id: randomUUID(), youthId: youths[0], foyerId: foyers[0].id, departure: NOW, departedWithPeers, windowStart: at(0), windowEnd: NOW },
          { plates: ['x'], aliases: ['y'], addresses: ['z'], companionYouthIds: [youths[1]] },
          NOW,
          ['hotel'],
        ),
      );
      expectCandidatesThroughIndexes(plan, '\\$3', '\\$13');
    }
  });

  it("reads the candidates with the triage's claim through indexes only as well", async () => {
    const plan = await genericPlanOf('vigie_claim_triage_facts', (manager) =>
      t.app.get(FugueRepository).claimTriageFacts(manager, [{ outboxId: randomUUID(), fugueId: randomUUID(), at: NOW }], ['hotel']),
    );
    expectCandidatesThroughIndexes(plan, 'f\\.foyer_id', "\\(f\\.departed_with = 'peers'");
  });

  it("reads the foyer's departures without peers only for an episode that left with peers", async () => {
    await cleanUp();
    const spec = (youth: number, t0: number, departedWith: EpisodeSpec['departedWith']): EpisodeSpec => ({
      youth,
      t0,
      lastSeenBefore: null,
      departedWith,
      end: { kind: 'open', after: 1 },
      facts: [],
    });
    const open = new Set<number>();
    // Youths 1 and 2 share foyer A with youth 0: one left alone, one with peers, within the hour.
    const alone = await insertEpisode(spec(1, 150, 'alone'), open);
    const withPeers = await insertEpisode(spec(2, 150.5, 'peers'), open);
    const candidates = (departedWithPeers: boolean) =>
      t.dataSource.transaction(async (manager) => {
        const { LinkRepository } = await import('@vigie/persistence');
        const rows = await t.app.get(LinkRepository).linkCandidates(
          manager,
          { id: randomUUID(), youthId: youths[0], foyerId: foyers[0].id, departure: at(150.2), departedWithPeers, windowStart: at(149), windowEnd: NOW },
          { plates: [], aliases: [], addresses: [], companionYouthIds: [] },
          NOW,
          ['hotel'],
        );
        return rows.map((r) => r.id).sort();
      });
    try {
      expect(await candidates(false)).toEqual([withPeers]);
      expect(await candidates(true)).toEqual([alone, withPeers].sort());
    } finally {
      await cleanUp();
    }
  });
});
