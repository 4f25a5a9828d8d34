// Accessible modal dialogs: native <dialog> (inert background), a focus trap, Esc
// closes, focus returns to where it was. Plus promise-based confirm/prompt helpers.
import type { ComponentChildren } from 'preact';
import { useEffect, useId, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { Store, useStore } from '../lib/store';
import { Icon } from './icons';

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function Dialog(props: {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  footer?: ComponentChildren;
  testid?: string;
  wide?: boolean;
  description?: string;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descId = useId();
  const restoreTo = useRef<HTMLElement | null>(null);

  // A layout effect, so a closing dialog is closed and focus handed back in the render that
  // closes it: a prompt's caller (which focuses the editor once the promise resolves) runs
  // after that render, never while the page behind is still inert under the modal.
  useLayoutEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (props.open && !d.open) {
      restoreTo.current = document.activeElement as HTMLElement | null;
      try {
        d.showModal();
      } catch {
        d.setAttribute('open', '');
      }
      const auto = d.querySelector<HTMLElement>('[autofocus], [data-autofocus]') ?? d.querySelector<HTMLElement>(FOCUSABLE);
      requestAnimationFrame(() => auto?.focus());
    } else if (!props.open && d.open) {
      d.close();
      restoreTo.current?.focus?.();
    }
  }, [props.open]);

  useEffect(
    () => () => {
      if (ref.current?.open) restoreTo.current?.focus?.();
    },
    [],
  );

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      props.onClose();
      return;
    }
    if (e.key !== 'Tab') return;
    const items = [...(ref.current?.querySelectorAll<HTMLElement>(FOCUSABLE) ?? [])].filter((el) => el.offsetParent !== null);
    if (!items.length) return;
    const first = items[0];
    const last = items[items.length - 1];
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  };

  return (
    <dialog
      ref={ref}
      class={`dialog${props.wide ? ' dialog-wide' : ''}`}
      aria-labelledby={titleId}
      aria-describedby={props.description ? descId : undefined}
      data-testid={props.testid}
      onKeyDown={onKeyDown}
      onCancel={(e) => {
        e.preventDefault();
        props.onClose();
      }}
      onClick={(e) => {
        if (e.target === ref.current) props.onClose();
      }}
    >
      {props.open && (
        <div class="dialog-body">
          <header class="dialog-head">
            <h2 id={titleId}>{props.title}</h2>
            <button type="button" class="icon-btn" aria-label="Close dialog" data-testid="dialog-close" onClick={props.onClose}>
              <Icon name="x" />
            </button>
          </header>
          {props.description && (
            <p id={descId} class="dialog-desc">
              {props.description}
            </p>
          )}
          <div class="dialog-content">{props.children}</div>
          {props.footer && <footer class="dialog-foot">{props.footer}</footer>}
        </div>
      )}
    </dialog>
  );
}

// ---------------------------------------------------------------- imperative confirm / prompt

interface ConfirmReq {
  kind: 'confirm';
  title: string;
  message: string;
  confirmLabel: string;
  danger: boolean;
  resolve: (ok: boolean) => void;
}
interface PromptReq {
  kind: 'prompt';
  /** Tells one request from the next (what was typed in an earlier prompt is not this one's). */
  id: number;
  title: string;
  label: string;
  value: string;
  confirmLabel: string;
  placeholder?: string;
  allowEmpty?: boolean;
  resolve: (v: string | null) => void;
}

const host = new Store<{ req: ConfirmReq | PromptReq | null }>({ req: null });
let lastPromptId = 0;

export function confirmDialog(o: { title: string; message: string; confirmLabel?: string; danger?: boolean }): Promise<boolean> {
  return new Promise((resolve) =>
    host.set({ req: { kind: 'confirm', confirmLabel: 'OK', danger: false, ...o, resolve } as ConfirmReq }),
  );
}

export function promptDialog(o: {
  title: string;
  label: string;
  value?: string;
  confirmLabel?: string;
  placeholder?: string;
  allowEmpty?: boolean;
}): Promise<string | null> {
  return new Promise((resolve) =>
    host.set({ req: { kind: 'prompt', id: ++lastPromptId, value: '', confirmLabel: 'Save', ...o, resolve } as PromptReq }),
  );
}

export function DialogHost() {
  const req = useStore(host, (s) => s.req);
  // What was typed, and in which prompt: a new prompt shows its own starting value from its
  // first render. (Set from an effect, which runs after a paint, the starting value replaced
  // what a fast typist or a paste had put in already, and Apply sent the old value.)
  const [typed, setTyped] = useState<{ id: number; value: string }>({ id: 0, value: '' });
  const value = req?.kind === 'prompt' ? (typed.id === req.id ? typed.value : req.value) : '';

  if (!req) return <Dialog open={false} title="" onClose={() => undefined}>{null}</Dialog>;
  const close = (result: boolean) => {
    host.set({ req: null });
    if (req.kind === 'confirm') req.resolve(result);
    else req.resolve(result ? value : null);
  };

  if (req.kind === 'confirm') {
    return (
      <Dialog
        open
        title={req.title}
        onClose={() => close(false)}
        testid="confirm-dialog"
        footer={
          <>
            <button type="button" class="btn" data-testid="confirm-cancel" onClick={() => close(false)}>
              Cancel
            </button>
            <button
              type="button"
              class={`btn ${req.danger ? 'btn-danger' : 'btn-primary'}`}
              data-testid="confirm-ok"
              data-autofocus
              onClick={() => close(true)}
            >
              {req.confirmLabel}
            </button>
          </>
        }
      >
        <p class="confirm-message">{req.message}</p>
      </Dialog>
    );
  }
  const ok = req.allowEmpty || value.trim().length > 0;
  return (
    <Dialog open title={req.title} onClose={() => close(false)} testid="prompt-dialog">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (ok) close(true);
        }}
      >
        <label class="field">
          <span>{req.label}</span>
          <input
            type="text"
            value={value}
            placeholder={req.placeholder}
            data-testid="prompt-input"
            data-autofocus
            onInput={(e) => setTyped({ id: req.id, value: (e.target as HTMLInputElement).value })}
            onFocus={(e) => (e.target as HTMLInputElement).select()}
          />
        </label>
        <div class="dialog-foot">
          <button type="button" class="btn" data-testid="prompt-cancel" onClick={() => close(false)}>
            Cancel
          </button>
          <button type="submit" class="btn btn-primary" data-testid="prompt-ok" disabled={!ok}>
            {req.confirmLabel}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
