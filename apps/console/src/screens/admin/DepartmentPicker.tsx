import { useSession } from '../../session';

/** The département an administration screen works on. */
export function DepartmentPicker({ id, value, onChange }: { id: string; value: string; onChange: (code: string) => void }) {
  const { departments } = useSession();
  return (
    <>
      <label htmlFor={id}>Département</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">Choisir un département…</option>
        {departments.map((d) => (
          <option key={d.code} value={d.code}>
            {d.code} – {d.name}
          </option>
        ))}
      </select>
    </>
  );
}
