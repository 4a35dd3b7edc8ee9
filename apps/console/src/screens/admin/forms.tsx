import { useState, type InputHTMLAttributes, type ReactNode } from 'react';
import { RequestFailed } from '../../api/client';
import { frenchApiMessage } from './api-messages';
import { ErrorBox } from '../../ui/common';
import { ACCESS_ROLE_LABELS } from '../../labels';
import type { Department, Foyer } from '../../session';

/** The problems of a refused request, by field (the API's `details`), or null when it names none. */
export function fieldProblems(error: unknown): Record<string, string> | null {
  if (error instanceof RequestFailed && error.status === 409 && error.body?.code === 'EMAIL_TAKEN') return { email: 'une personne active a déjà cette adresse électronique' };
  if (!(error instanceof RequestFailed) || error.status !== 400 || !error.body?.details?.length) return null;
  const byField: Record<string, string> = {};
  for (const d of error.body.details) {
    const message = frenchApiMessage(d.message);
    byField[d.field] = byField[d.field] ? `${byField[d.field]} ; ${message}` : message;
  }
  return byField;
}

/** The problem of `field` (or of one of its parts, `channels.0.address` for `channels`), in the API's words. */
export function problemOf(problems: Record<string, string> | null, field: string): string | undefined {
  if (!problems) return undefined;
  const found = Object.entries(problems).filter(([f]) => f === field || f.startsWith(`${field}.`));
  return found.length ? found.map(([, m]) => m).join(' ; ') : undefined;
}

/**
 * A labelled input; its hint and its error are tied to it (aria-describedby), the error announced
 * by the form's summary. `error` is the API's refusal of this field.
 */
export function TextField({
  id,
  label,
  hint,
  error,
  ...input
}: { id: string; label: string; hint?: string; error?: string } & Omit<InputHTMLAttributes<HTMLInputElement>, 'id'>) {
  const described = [hint ? `${id}-aide` : null, error ? `${id}-erreur` : null].filter(Boolean).join(' ') || undefined;
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <input id={id} name={id} aria-describedby={described} aria-invalid={error ? true : undefined} {...input} />
      {hint && (
        <p className="hint" id={`${id}-aide`}>
          {hint}
        </p>
      )}
      <FieldError id={`${id}-erreur`} error={error} />
    </>
  );
}

export function FieldError({ id, error }: { id: string; error?: string }) {
  if (!error) return null;
  return (
    <p className="field-error" id={id}>
      Refusé : {error}
    </p>
  );
}

/** The error of a form: field problems are shown at their fields, the rest here. */
export function FormError({ error }: { error: unknown }) {
  if (error === null || error === undefined) return null;
  if (fieldProblems(error)) {
    return (
      <p className="error" role="alert">
        Certaines informations n’ont pas été acceptées : corrigez les champs signalés, puis réessayez.
      </p>
    );
  }
  return <ErrorBox error={error} />;
}

/** A button that asks for a second click before doing something that cannot be undone. */
export function ConfirmButton({ label, confirm, onConfirm, disabled }: { label: string; confirm: string; onConfirm: () => void; disabled?: boolean }) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" onClick={() => setAsking(true)} disabled={disabled}>
        {label}
      </button>
    );
  }
  return (
    <span className="confirm" role="group" aria-label={label}>
      <button type="button" className="danger" onClick={() => (setAsking(false), onConfirm())} disabled={disabled}>
        {confirm}
      </button>
      <button type="button" onClick={() => setAsking(false)}>
        Annuler
      </button>
    </span>
  );
}

export type AccessRole = keyof typeof ACCESS_ROLE_LABELS;

export interface Scope {
  role: AccessRole;
  foyerIds: string[];
  departmentCodes: string[];
}

/** The role and scope of a person or an API key: foyers for a foyer team, départements otherwise. */
export function ScopeFields({
  idPrefix,
  value,
  onChange,
  foyers,
  departments,
  problems,
  roles = Object.keys(ACCESS_ROLE_LABELS) as AccessRole[],
}: {
  idPrefix: string;
  value: Scope;
  onChange: (next: Scope) => void;
  foyers: Foyer[];
  departments: Department[];
  problems: Record<string, string> | null;
  roles?: AccessRole[];
}) {
  const roleError = problemOf(problems, 'role');
  const foyerError = problemOf(problems, 'foyerIds');
  const departmentError = problemOf(problems, 'departmentCodes');
  return (
    <>
      <label htmlFor={`${idPrefix}-role`}>Rôle *</label>
      <select
        id={`${idPrefix}-role`}
        value={value.role}
        onChange={(e) => onChange({ role: e.target.value as AccessRole, foyerIds: [], departmentCodes: [] })}
        aria-describedby={roleError ? `${idPrefix}-role-erreur` : undefined}
        aria-invalid={roleError ? true : undefined}
      >
        {roles.map((r) => (
          <option key={r} value={r}>
            {ACCESS_ROLE_LABELS[r]}
          </option>
        ))}
      </select>
      <FieldError id={`${idPrefix}-role-erreur`} error={roleError} />
      {value.role === 'foyer' && (
        <>
          <label htmlFor={`${idPrefix}-foyers`}>Foyers *</label>
          <select
            id={`${idPrefix}-foyers`}
            multiple
            size={Math.min(6, Math.max(2, foyers.length))}
            value={value.foyerIds}
            onChange={(e) => onChange({ ...value, foyerIds: [...e.target.selectedOptions].map((o) => o.value) })}
            aria-describedby={[`${idPrefix}-foyers-aide`, foyerError ? `${idPrefix}-foyers-erreur` : ''].filter(Boolean).join(' ')}
            aria-invalid={foyerError ? true : undefined}
          >
            {foyers.map((f) => (
              <option key={f.id} value={f.id}>
                {f.name} ({f.departmentCode})
              </option>
            ))}
          </select>
          <p className="hint" id={`${idPrefix}-foyers-aide`}>
            Les foyers dont cette équipe voit les jeunes. Plusieurs choix : Ctrl ou Maj.
          </p>
          <FieldError id={`${idPrefix}-foyers-erreur`} error={foyerError} />
        </>
      )}
      {['police', 'child_protection', 'hotline'].includes(value.role) && (
        <>
          <label htmlFor={`${idPrefix}-departements`}>Départements{value.role === 'hotline' ? '' : ' *'}</label>
          <select
            id={`${idPrefix}-departements`}
            multiple
            size={6}
            value={value.departmentCodes}
            onChange={(e) => onChange({ ...value, departmentCodes: [...e.target.selectedOptions].map((o) => o.value) })}
            aria-describedby={[`${idPrefix}-departements-aide`, departmentError ? `${idPrefix}-departements-erreur` : ''].filter(Boolean).join(' ')}
            aria-invalid={departmentError ? true : undefined}
          >
            {departments.map((d) => (
              <option key={d.code} value={d.code}>
                {d.code} – {d.name}
              </option>
            ))}
          </select>
          <p className="hint" id={`${idPrefix}-departements-aide`}>
            {value.role === 'hotline' ? 'Aucun choix : tous les départements.' : 'Les départements dont cette personne voit les fugues.'} Plusieurs choix : Ctrl ou Maj.
          </p>
          <FieldError id={`${idPrefix}-departements-erreur`} error={departmentError} />
        </>
      )}
    </>
  );
}

/** The scope as the API takes it: only the list the role uses. */
export function scopeBody(scope: Scope) {
  return {
    role: scope.role,
    ...(scope.role === 'foyer' ? { foyerIds: scope.foyerIds } : {}),
    ...(['police', 'child_protection', 'hotline'].includes(scope.role) ? { departmentCodes: scope.departmentCodes } : {}),
  };
}

/** A short description of a scope, for lists. */
export function scopeWords(scope: { role: string; foyerIds: string[]; departmentCodes: string[] }, foyers: Foyer[]): ReactNode {
  if (scope.foyerIds.length) return scope.foyerIds.map((id) => foyers.find((f) => f.id === id)?.name ?? id).join(', ');
  if (scope.departmentCodes.length) return `Départements ${scope.departmentCodes.join(', ')}`;
  return scope.role === 'hotline' ? 'Tous les départements' : scope.role === 'admin' ? 'Tout' : '—';
}
