import { useEffect, useRef, useState } from 'react';
import type { Schemas } from './api/client';
import { TIMELINE_LABELS } from './labels';

/** One event of GET /v1/stream: ids and a type, nothing else. */
export type LiveEvent = Schemas['StreamEventResponse'];

/** How the screen is kept up to date: told by the stream, or asking every POLL_MS. */
export type LiveMode = 'connecting' | 'live' | 'polling';

/** Every event name the stream sends: the timeline's types, and stream.resync. */
const EVENT_TYPES = [...Object.keys(TIMELINE_LABELS), 'stream.resync'];

/** Without the stream (no EventSource, or it was refused), how often the screen reads again. */
export const POLL_MS = 30_000;
/** After the stream was refused, how long before trying it again. */
const REOPEN_MS = 60_000;

export interface LiveOptions {
  /** Several events in a burst (a triage, its alert, its messages) make one refresh. */
  debounceMs?: number;
  pollMs?: number;
}

/**
 * Keeps a screen up to date: calls `refresh` (at most once per `debounceMs`) when the stream
 * tells of an event `relevant` says matters, when events may have been missed (the stream came
 * back, the server says so), and every `pollMs` while the stream is unavailable (no EventSource
 * in this browser, or the server refused it). Returns how the screen is being kept up to date.
 */
export function useLiveEvents(relevant: (event: LiveEvent) => boolean, refresh: () => void, { debounceMs = 400, pollMs = POLL_MS }: LiveOptions = {}): LiveMode {
  const [mode, setMode] = useState<LiveMode>(typeof EventSource === 'undefined' ? 'polling' : 'connecting');
  // The latest callbacks, so that a screen's new closures never reopen the stream.
  const relevantRef = useRef(relevant);
  const refreshRef = useRef(refresh);
  relevantRef.current = relevant;
  refreshRef.current = refresh;

  useEffect(() => {
    let debounce: ReturnType<typeof setTimeout> | null = null;
    let poll: ReturnType<typeof setInterval> | null = null;
    let reopen: ReturnType<typeof setTimeout> | null = null;
    let source: EventSource | null = null;
    let stopped = false;

    const soon = () => {
      if (debounce) return;
      debounce = setTimeout(() => {
        debounce = null;
        if (!stopped) refreshRef.current();
      }, debounceMs);
    };
    const startPolling = () => {
      setMode('polling');
      poll ??= setInterval(() => refreshRef.current(), pollMs);
    };
    const stopPolling = () => {
      if (poll) clearInterval(poll);
      poll = null;
    };

    const open = () => {
      if (stopped || typeof EventSource === 'undefined') return startPolling();
      let opened = false;
      const current = new EventSource('/v1/stream');
      source = current;
      const onEvent = (message: MessageEvent<string>) => {
        let event: LiveEvent;
        try {
          event = JSON.parse(message.data) as LiveEvent;
        } catch {
          return;
        }
        if (event.type === 'stream.resync' || relevantRef.current(event)) soon();
      };
      for (const type of EVENT_TYPES) current.addEventListener(type, onEvent as EventListener);
      current.onopen = () => {
        stopPolling();
        setMode('live');
        // Back after a break: what happened meanwhile was not told.
        if (opened) soon();
        opened = true;
      };
      current.onerror = () => {
        if (current.readyState === EventSource.CLOSED) {
          // Refused (signed out, server full): read every pollMs, and try the stream again later.
          current.close();
          if (source === current) source = null;
          startPolling();
          soon();
          reopen = setTimeout(() => {
            reopen = null;
            open();
          }, REOPEN_MS);
        } else {
          // The browser reconnects by itself; meanwhile nothing is told, so the screen reads again
          // every pollMs until the stream is back.
          startPolling();
        }
      };
    };
    open();

    return () => {
      stopped = true;
      source?.close();
      stopPolling();
      if (debounce) clearTimeout(debounce);
      if (reopen) clearTimeout(reopen);
    };
  }, [debounceMs, pollMs]);

  return mode;
}
