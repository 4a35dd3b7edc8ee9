// Past episodes written in SQL for the benches that measure how the service behaves as history
// grows (bench/lists.bench.mjs, bench/links.bench.mjs): foyers in every département weighted by
// population, youths round robin over them, episodes in one INSERT … SELECT generate_series.
// Measurement data in the service's own database, not declared through the API.

/**
 * Approximate population of each département, in thousands: the weight of each département in
 * the bench data (one bench foyer per 150,000 inhabitants, at least one; youths spread evenly
 * over the foyers, episodes evenly over the youths).
 */
export const DEPARTMENT_WEIGHTS = {
  '01': 660, '02': 530, '03': 335, '04': 165, '05': 140, '06': 1100, '07': 330, '08': 270, '09': 155, '10': 310,
  '11': 375, '12': 280, '13': 2050, '14': 700, '15': 145, '16': 350, '17': 660, '18': 300, '19': 240, '2A': 160,
  '2B': 180, '21': 535, '22': 600, '23': 115, '24': 410, '25': 545, '26': 520, '27': 600, '28': 430, '29': 920,
  '30': 750, '31': 1420, '32': 190, '33': 1650, '34': 1200, '35': 1100, '36': 215, '37': 610, '38': 1280, '39': 255,
  '40': 420, '41': 330, '42': 765, '43': 227, '44': 1450, '45': 680, '46': 175, '47': 330, '48': 76, '49': 820,
  '50': 490, '51': 565, '52': 170, '53': 307, '54': 730, '55': 183, '56': 760, '57': 1045, '58': 200, '59': 2610,
  '60': 830, '61': 275, '62': 1460, '63': 665, '64': 690, '65': 230, '66': 480, '67': 1150, '68': 770, '69': 1900,
  '70': 235, '71': 550, '72': 565, '73': 440, '74': 830, '75': 2130, '76': 1255, '77': 1420, '78': 1450, '79': 375,
  '80': 570, '81': 390, '82': 260, '83': 1090, '84': 560, '85': 690, '86': 440, '87': 370, '88': 360, '89': 335,
  '90': 140, '91': 1300, '92': 1620, '93': 1650, '94': 1400, '95': 1250, '971': 385, '972': 360, '973': 285, '974': 870,
  '976': 300,
};

/** Bench foyers for every département, and a session table numbering them (seq 1..n). */
export async function insertFoyers(db) {
  const codes = Object.keys(DEPARTMENT_WEIGHTS);
  await db.query(
    `INSERT INTO foyers (name, department_code, kind)
     SELECT 'Foyer Testbench ' || w.code || '-' || n, w.code, CASE WHEN n % 5 = 0 THEN 'pjj' ELSE 'ase' END
       FROM unnest($1::text[], $2::int[]) AS w(code, weight)
       CROSS JOIN LATERAL generate_series(1, greatest(1, round(w.weight / 150.0)::int)) n`,
    [codes, codes.map((c) => DEPARTMENT_WEIGHTS[c])],
  );
  await db.query(
    `CREATE TEMP TABLE bench_foyers AS
     SELECT row_number() OVER (ORDER BY department_code, name)::int AS seq, id, department_code
       FROM foyers WHERE name LIKE 'Foyer Testbench %'`,
  );
  await db.query(`ALTER TABLE bench_foyers ADD PRIMARY KEY (seq)`);
  const { rows } = await db.query(`SELECT count(*)::int AS n FROM bench_foyers`);
  return rows[0].n;
}

/** Adds youths seq `from`..`to` (round robin over the bench foyers), all with the same identity ciphertext. */
export async function insertYouths(db, from, to, foyerCount, identityEnc) {
  await db.query(`CREATE TEMP TABLE IF NOT EXISTS bench_youths (seq int PRIMARY KEY, id uuid NOT NULL, foyer_id uuid NOT NULL, department_code text NOT NULL)`);
  await db.query(
    `INSERT INTO bench_youths (seq, id, foyer_id, department_code)
     SELECT g, gen_random_uuid(), f.id, f.department_code
       FROM generate_series($1::int, $2::int) g JOIN bench_foyers f ON f.seq = (g - 1) % $3::int + 1`,
    [from, to, foyerCount],
  );
  await db.query(
    `INSERT INTO youths (id, foyer_id, identity_enc, sex, created_at, updated_at)
     SELECT id, foyer_id, $3, CASE WHEN seq % 2 = 0 THEN 'F' ELSE 'M' END, now() - interval '1000 days', now() - interval '1000 days'
       FROM bench_youths WHERE seq BETWEEN $1 AND $2`,
    [from, to, identityEnc],
  );
}

/**
 * Adds episodes `from`..`to` in one INSERT … SELECT generate_series. Episode k of the batch belongs
 * to youth youthFrom + k % youthCount, so the first youthCount episodes have distinct youths: only
 * those may be open (missing or located, `openShare`, 3 % by default; at most one open episode per youth), noticed within
 * the last 10 days. The others are returned (20 %), closed or cancelled, noticed over the last
 * 910 days (inside the retention period, so the retention job leaves them alone). About 10 % are
 * worrying. Every episode carries a stored classification in the shape the triage writes. A share
 * `peersShare` (0 by default) left with peers, the others alone. With `autoCloseDays` (the
 * service's VIGIE_AUTO_CLOSE_AFTER_DAYS), an episode returned longer ago than that is written
 * closed, as the worker's auto-close would have left it: otherwise the worker spends the
 * measurement closing them (about 190,000 at 1M), one transaction each.
 */
export async function insertEpisodes(db, { from, to, youthFrom, youthCount, createdBy, peersShare = 0, autoCloseDays = null, openShare = 0.03 }) {
  await db.query(`SELECT setseed($1)`, [(from % 1000) / 1000]);
  await db.query(
    `INSERT INTO fugues (youth_id, foyer_id, department_code, status, noticed_missing_at, last_seen_at, departed_with, belongings,
                         indicators, located_at, returned_at, found_by, ended_at, classification, effective_level, created_by,
                         created_at, updated_at)
     SELECT y.id, y.foyer_id, y.department_code, s.status, s.noticed, s.noticed - interval '1 hour', s.departed_with,
            '{"phone": true, "money": false}'::jsonb, '{SCHOOL_DROPOUT}'::text[],
            CASE WHEN s.status = 'located' THEN s.noticed + interval '6 hours' END,
            CASE WHEN s.status IN ('returned', 'closed') THEN s.noticed + interval '1 day' END,
            CASE WHEN s.status IN ('returned', 'closed') THEN 'police' END,
            CASE WHEN s.status = 'closed' THEN s.noticed + interval '3 days' WHEN s.status = 'cancelled' THEN s.noticed + interval '2 hours' END,
            jsonb_build_object(
              'level', s.level,
              'score', 1,
              'reasons', CASE WHEN s.level = 'worrying'
                THEN '[{"code": "AGE_UNDER_13", "kind": "critical", "weight": null, "source": "computed"},
                       {"code": "SCHOOL_DROPOUT", "kind": "aggravating", "weight": 1, "source": "report"}]'::jsonb
                ELSE '[{"code": "SCHOOL_DROPOUT", "kind": "aggravating", "weight": 1, "source": "report"}]'::jsonb END,
              'rulesetVersion', '2026.1',
              'evaluatedAt', to_char((s.noticed + interval '5 minutes') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
              'nextReviewAt', NULL),
            s.level, $5::uuid, s.noticed + interval '5 minutes', s.noticed + interval '5 minutes'
       FROM (SELECT r.k,
                    CASE WHEN r.open THEN (CASE WHEN r.r1 < 0.025 THEN 'missing' ELSE 'located' END)
                         WHEN r.r1 < 0.08 THEN 'cancelled'
                         -- returned_at is 9 + r3 × 900 days ago; older than autoCloseDays, the worker would have closed it.
                         WHEN r.r1 < 0.28 THEN (CASE WHEN $7::int IS NOT NULL AND 9 + r.r3 * 900 >= $7::int THEN 'closed' ELSE 'returned' END)
                         ELSE 'closed' END AS status,
                    CASE WHEN r.open THEN now() - r.r3 * interval '10 days'
                         ELSE now() - interval '10 days' - r.r3 * interval '900 days' END AS noticed,
                    CASE WHEN r.r2 < 0.1 THEN 'worrying' ELSE 'routine' END AS level,
                    CASE WHEN r.r4 < $6::float8 THEN 'peers' ELSE 'alone' END AS departed_with
               FROM (SELECT g - $1::int AS k, random() AS r1, random() AS r2, random() AS r3, (g - $1::int < $4::int AND random() < $8::float8) AS open,
                            random() AS r4
                       FROM generate_series($1::int, $2::int) g) r) s
       JOIN bench_youths y ON y.seq = $3::int + s.k % $4::int`,
    [from, to, youthFrom, youthCount, createdBy, peersShare, autoCloseDays, openShare],
  );
}
