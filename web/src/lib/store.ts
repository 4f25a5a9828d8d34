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
  const [value, setValue] = useState(() => select(store.get()));
  const selectRef = useRef(select);
  selectRef.current = select;
  useEffect(() => {
    const check = () => {
      const next = selectRef.current(store.get());
      setValue((prev) => (Object.is(prev, next) ? prev : next));
    };
    check();
    return store.subscribe(check);
  }, [store]);
  return select(store.get());
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
