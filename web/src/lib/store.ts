import { useEffect, useRef, useState } from 'preact/hooks';

type Listener = () => void;

/** A tiny observable state container. */
export class Store<T extends object> {
  private listeners = new Set<Listener>();
  constructor(private state: T) {}

  get(): T {
    return this.state;
  }

  set(patch: Partial<T> | ((s: T) => Partial<T>)): void {
    const p = typeof patch === 'function' ? patch(this.state) : patch;
    this.state = { ...this.state, ...p };
    this.listeners.forEach((l) => l());
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
}

/** Subscribe a component to a slice of a store; re-renders when the slice changes (Object.is). */
export function useStore<T extends object, S>(store: Store<T>, select: (s: T) => S): S {
  const [, force] = useState(0);
  const selectRef = useRef(select);
  selectRef.current = select;
  const last = useRef<S>(select(store.get()));
  useEffect(() => {
    const check = () => {
      const next = selectRef.current(store.get());
      if (!Object.is(last.current, next)) {
        last.current = next;
        force((n) => n + 1);
      }
    };
    check();
    return store.subscribe(check);
  }, [store]);
  const value = select(store.get());
  last.current = value;
  return value;
}

/** Simple typed event emitter. */
export class Emitter<T> {
  private handlers = new Set<(v: T) => void>();
  on(h: (v: T) => void): () => void {
    this.handlers.add(h);
    return () => this.handlers.delete(h);
  }
  emit(v: T): void {
    this.handlers.forEach((h) => {
      try {
        h(v);
      } catch (e) {
        console.error(e);
      }
    });
  }
}
