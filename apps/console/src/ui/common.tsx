import { useEffect, useRef, useState, type ReactNode } from 'react';
import { explain } from '../api/errors';

/** The loading state of a screen, announced to screen readers. */
export function Loading({ what = 'Chargement…' }: { what?: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      {what}
    </p>
  );
}

/** An error in words, with a way to try again when it makes sense. */
export function ErrorBox({ error, retry }: { error: unknown; retry?: () => void }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => ref.current?.focus(), [error]);
  return (
    <div className="error" role="alert" tabIndex={-1} ref={ref}>
      <p>{explain(error)}</p>
      {retry && (
        <button type="button" onClick={retry}>
          Réessayer
        </button>
      )}
    </div>
  );
}

type Loaded<T> = { state: 'loading' } | { state: 'error'; error: unknown } | { state: 'ready'; data: T };

/** Loads once per key; `reload` loads again. */
export function useLoad<T>(load: () => Promise<T>, key: unknown[]): [Loaded<T>, () => void] {
  const [value, setValue] = useState<Loaded<T>>({ state: 'loading' });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setValue((previous) => (previous.state === 'ready' && tick > 0 ? previous : { state: 'loading' }));
    load().then(
      (data) => live && setValue({ state: 'ready', data }),
      (error: unknown) => live && setValue({ state: 'error', error }),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...key, tick]);
  return [value, () => setTick((n) => n + 1)];
}

/** Renders a loaded value, its loading state or its error. */
export function Show<T>({ loaded, retry, children }: { loaded: Loaded<T>; retry: () => void; children: (data: T) => ReactNode }) {
  if (loaded.state === 'loading') return <Loading />;
  if (loaded.state === 'error') return <ErrorBox error={loaded.error} retry={retry} />;
  return <>{children(loaded.data)}</>;
}

/** Sets the document's title and moves focus to the screen's heading, for screen readers. */
export function useScreenTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} – Vigie`;
  }, [title]);
}

export function Checkboxes<C extends string>({ legend, labels, value, onChange, name }: { legend: string; labels: Record<C, string>; value: C[]; onChange: (next: C[]) => void; name: string }) {
  return (
    <fieldset>
      <legend>{legend}</legend>
      {(Object.keys(labels) as C[]).map((code) => (
        <label key={code} className="check">
          <input
            type="checkbox"
            name={name}
            value={code}
            checked={value.includes(code)}
            onChange={(e) => onChange(e.target.checked ? [...value, code] : value.filter((c) => c !== code))}
          />{' '}
          {labels[code]}
        </label>
      ))}
    </fieldset>
  );
}
