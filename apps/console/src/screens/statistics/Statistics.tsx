import { useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { api, must, type Schemas } from '../../api/client';
import { AGE_BAND_LABELS, SEX_LABELS } from '../../labels';
import { navigate, useLocation } from '../../router';
import { useSession } from '../../session';
import { Show, useLoad, useScreenTitle } from '../../ui/common';
import { formatDateTime } from '../../format';
import { daysBefore, formatCount, formatDuration, formatShare, linkReasonRows, nextDay, today, weekLabel } from './figures';
import { BarChart } from './BarChart';

type Stats = Schemas['StatsResponse'];

/** Twelve weeks back by default: enough to see a trend, short enough to read. */
const DEFAULT_DAYS = 83;

/**
 * The département's figures over a period (GET /v1/stats), for child protection, police (without
 * what interviews revealed) and admins: episodes per week as a chart with its table, the key
 * figures, return interviews and the breakdowns; the same numbers as a CSV file.
 */
export function StatisticsScreen() {
  useScreenTitle('Statistiques');
  const session = useSession();
  const { query } = useLocation();
  const departments = session.me.role === 'admin' ? session.departments : session.departments.filter((d) => session.me.departmentCodes.includes(d.code));
  const departmentCode = query.get('departement') ?? departments[0]?.code ?? '';
  const timeZone = session.departments.find((d) => d.code === departmentCode)?.timeZone ?? 'Europe/Paris';
  const to = query.get('au') ?? today(timeZone);
  const from = query.get('du') ?? daysBefore(to, DEFAULT_DAYS);

  const [form, setForm] = useState({ departmentCode, from, to });
  const [invalid, setInvalid] = useState<string | null>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!form.from || !form.to || form.from > form.to) {
      setInvalid('La date de début doit précéder ou égaler la date de fin.');
      return;
    }
    setInvalid(null);
    navigate(`/statistiques?${new URLSearchParams({ departement: form.departmentCode, du: form.from, au: form.to })}`);
  };

  const params = { departmentCode, from, to: nextDay(to) };
  // JSON: the same route answers CSV too, which only the download link asks for.
  const [loaded, retry] = useLoad(() => must(api.GET('/v1/stats', { params: { query: params }, parseAs: 'json' })) as Promise<Stats>, [departmentCode, from, to]);
  const csvHref = `/v1/stats?${new URLSearchParams({ ...params, format: 'csv' })}`;

  if (departments.length === 0) {
    return (
      <>
        <h1>Statistiques</h1>
        <p>Aucun département n’est rattaché à votre compte.</p>
      </>
    );
  }
  return (
    <section aria-labelledby="titre-stats" className="statistics">
      <h1 id="titre-stats">Statistiques</h1>
      <form onSubmit={submit} className="period" aria-label="Choisir le département et la période">
        <div>
          <label htmlFor="stats-departement">Département</label>
          <select id="stats-departement" value={form.departmentCode} onChange={(e) => setForm({ ...form, departmentCode: e.target.value })}>
            {departments.map((d) => (
              <option key={d.code} value={d.code}>
                {d.code} – {d.name}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="stats-du">Du</label>
          <input id="stats-du" type="date" value={form.from} required onChange={(e) => setForm({ ...form, from: e.target.value })} />
        </div>
        <div>
          <label htmlFor="stats-au">Au (inclus)</label>
          <input id="stats-au" type="date" value={form.to} required onChange={(e) => setForm({ ...form, to: e.target.value })} />
        </div>
        <button type="submit" className="primary">
          Afficher
        </button>
      </form>
      {invalid && (
        <p className="error" role="alert">
          {invalid}
        </p>
      )}
      <Show loaded={loaded} retry={retry}>
        {(stats) => <Figures stats={stats} csvHref={csvHref} />}
      </Show>
    </section>
  );
}

function Figures({ stats, csvHref }: { stats: Stats; csvHref: string }) {
  const bars = useMemo(() => stats.weeks.map((w) => ({ label: weekLabel(w.week, w.start), value: w.episodes })), [stats.weeks]);
  const e = stats.episodes;
  const i = stats.returnInterviews;
  const d = stats.disclosures;
  return (
    <>
      <p className="hint">
        Semaines ISO (du lundi au dimanche) dans le fuseau du département ({stats.timeZone}). Aucune donnée nominative.
      </p>
      <p>
        <a className="button" href={csvHref} download>
          Télécharger les chiffres (CSV)
        </a>
      </p>

      <h2 id="titre-semaines">Épisodes par semaine</h2>
      <div className="chart-pair">
        <BarChart id="graphique-semaines" bars={bars} label="Épisodes par semaine" />
        <table aria-labelledby="titre-semaines" id="tableau-semaines">
          <thead>
            <tr>
              <th scope="col">Semaine</th>
              <th scope="col">Épisodes</th>
              <th scope="col">Dont préoccupants</th>
            </tr>
          </thead>
          <tbody>
            {stats.weeks.map((w) => (
              <tr key={w.week} data-week={w.week}>
                <th scope="row">{weekLabel(w.week, w.start)}</th>
                <Num value={w.episodes} />
                <Num value={w.worrying} />
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <h2 id="titre-chiffres">Chiffres clés</h2>
      <table aria-labelledby="titre-chiffres" id="tableau-chiffres" className="key-figures">
        <tbody>
          <Row name="total" label="Épisodes signalés" value={e.total} />
          <Row name="shareWorrying" label="Part des épisodes préoccupants" value={e.shareWorrying} text={formatShare(e.shareWorrying)} />
          <Row name="medianDurationSeconds" label="Durée médiane d’une fugue terminée" value={e.medianDurationSeconds} text={formatDuration(e.medianDurationSeconds)} />
          <Row name="alertsOpened" label="Alertes ouvertes" value={stats.alerts.opened} />
          <Row name="alertsAcknowledged" label="Alertes prises en compte" value={stats.alerts.acknowledged} />
          <Row name="medianSecondsToAcknowledge" label="Délai médian de prise en compte d’une alerte" value={stats.alerts.medianSecondsToAcknowledge} text={formatDuration(stats.alerts.medianSecondsToAcknowledge)} />
          <Row name="p90SecondsToAcknowledge" label="Délai de prise en compte de 90 % des alertes" value={stats.alerts.p90SecondsToAcknowledge} text={formatDuration(stats.alerts.p90SecondsToAcknowledge)} />
          <Row
            name="shareCompletedOnTime"
            label="Retours suivis d’un entretien mené sous 72 h"
            value={i.shareCompletedOnTime}
            text={`${formatShare(i.shareCompletedOnTime)} (${formatCount(i.completedOnTime)} sur ${formatCount(i.due)})`}
          />
          <Row name="youthsWithRepeatedFugues" label="Jeunes ayant fugué 3 fois ou plus en 30 jours" value={stats.youthsWithRepeatedFugues} />
          {d && <Row name="withDisclosure" label="Entretiens avec une révélation ou un indice d’exploitation" value={d.withDisclosure} />}
          {d && <Row name="prosecutorReferrals" label="Signalements au procureur" value={d.prosecutorReferrals} />}
        </tbody>
      </table>
      {!d && <p className="hint">Le contenu des entretiens (révélations, signalements) n’est pas visible pour votre rôle.</p>}

      <h2 id="titre-entretiens">Entretiens de retour</h2>
      <table aria-labelledby="titre-entretiens" id="tableau-entretiens">
        <tbody>
          <Row name="due" label="À mener dans la période" value={i.due} />
          <Row name="completedOnTime" label="Menés dans les 72 h" value={i.completedOnTime} />
          <Row name="completedLate" label="Menés en retard" value={i.completedLate} />
          <Row name="declined" label="Refusés par le jeune" value={i.declined} />
          <Row name="notHeld" label="Non tenus" value={i.notHeld} />
          <Row name="overdue" label="Pas encore renseignés et en retard" value={i.overdue} />
          {d && <Row name="sexualExploitation" label="Révélations d’exploitation sexuelle" value={d.sexualExploitation} />}
          {d && <Row name="violence" label="Révélations de violences" value={d.violence} />}
          {d && <Row name="sexualViolence" label="Révélations de violences sexuelles" value={d.sexualViolence} />}
        </tbody>
      </table>

      <Links stats={stats} />

      <h2>Répartition des épisodes</h2>
      <Breakdown id="tableau-ages" caption="Par âge au moment de la fugue" rows={stats.breakdown.ageBands.map((b) => ({ ...b, label: AGE_BAND_LABELS[b.key] }))} />
      <Breakdown id="tableau-sexes" caption="Par sexe" rows={stats.breakdown.sexes.map((b) => ({ ...b, label: SEX_LABELS[b.key] }))} />
      {stats.breakdown.foyers.length > 0 ? (
        <Breakdown id="tableau-foyers" caption="Par foyer" rows={stats.breakdown.foyers.map((f) => ({ ...f, key: f.foyerId, label: f.name }))} />
      ) : (
        <p>Aucun épisode dans la période.</p>
      )}
    </>
  );
}

/**
 * The links between episodes found in the period, by reason (a link may have several), and the
 * foyers where linked episodes involved 3 youths or more within 30 days (one line per notice sent).
 */
function Links({ stats }: { stats: Stats }) {
  const { vocabularies } = useSession();
  const rows = linkReasonRows(stats.links, vocabularies.linkReasons);
  return (
    <section aria-labelledby="titre-liens">
      <h2 id="titre-liens">Liens</h2>
      <p className="hint">Deux fugues de jeunes différents sont liées quand elles se recoupent dans le temps et partagent un compagnon, un véhicule, un lieu, un surnom, ou un départ ensemble. Un lien peut avoir plusieurs raisons.</p>
      <table id="tableau-liens">
        <caption>Liens trouvés dans la période, par raison</caption>
        <thead>
          <tr>
            <th scope="col">Raison</th>
            <th scope="col">Liens</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.code} data-key={r.code}>
              <th scope="row">{r.label}</th>
              <Num value={r.count} />
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr data-key="total">
            <th scope="row">Liens trouvés (toutes raisons)</th>
            <Num value={stats.links.total} />
          </tr>
        </tfoot>
      </table>
      {stats.foyerClusters.length === 0 ? (
        <p id="grappes-foyers">Aucun foyer n’a eu dans la période 3 jeunes ou plus liés par des fugues récentes.</p>
      ) : (
        <table id="tableau-grappes">
          <caption>Foyers où 3 jeunes ou plus sont liés par des fugues récentes (possible recrutement)</caption>
          <thead>
            <tr>
              <th scope="col">Foyer</th>
              <th scope="col">Département</th>
              <th scope="col">Jeunes liés</th>
              <th scope="col">Repéré le</th>
            </tr>
          </thead>
          <tbody>
            {stats.foyerClusters.map((c) => (
              <tr key={`${c.foyerId}-${c.noticedAt}`} data-key={c.foyerId}>
                <th scope="row">{c.name}</th>
                <td>{c.departmentCode}</td>
                <Num value={c.youths} />
                <td>
                  <time dateTime={c.noticedAt}>{formatDateTime(c.noticedAt, stats.timeZone)}</time>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** A number cell; `data-value` holds the number itself, as the API gave it. */
function Num({ value, children }: { value: number | null; children?: ReactNode }) {
  return <td data-value={value ?? ''}>{children ?? (value === null ? '—' : formatCount(value))}</td>;
}

function Row({ name, label, value, text }: { name: string; label: string; value: number | null; text?: string }) {
  return (
    <tr data-figure={name}>
      <th scope="row">{label}</th>
      <Num value={value}>{text}</Num>
    </tr>
  );
}

function Breakdown({ id, caption, rows }: { id: string; caption: string; rows: { key: string; label: string; episodes: number; worrying: number }[] }) {
  return (
    <table id={id}>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{caption.replace(/^Par /, '').replace(/^./, (c) => c.toUpperCase())}</th>
          <th scope="col">Épisodes</th>
          <th scope="col">Dont préoccupants</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.key} data-key={r.key}>
            <th scope="row">{r.label}</th>
            <Num value={r.episodes} />
            <Num value={r.worrying} />
          </tr>
        ))}
      </tbody>
    </table>
  );
}
