import { useStore } from '../lib/store';
import { dismiss, toasts } from '../lib/toast';
import { Icon } from './icons';

export function Toasts() {
  const items = useStore(toasts, (s) => s.items);
  return (
    <div class="toasts" aria-live="polite" aria-atomic="false" data-testid="toasts">
      {items.map((t) => (
        <div key={t.id} class={`toast toast-${t.kind}`} role={t.kind === 'error' ? 'alert' : 'status'} data-testid={t.testid ?? 'toast'}>
          <span>{t.text}</span>
          {t.action && (
            <button type="button" class="link-btn" onClick={() => (t.action!.run(), dismiss(t.id))}>
              {t.action.label}
            </button>
          )}
          {t.actions?.map((a) => (
            <button key={a.label} type="button" class="link-btn" data-testid={a.testid} onClick={() => (a.run(), dismiss(t.id))}>
              {a.label}
            </button>
          ))}
          <button type="button" class="icon-btn small" aria-label="Dismiss notification" onClick={() => dismiss(t.id)}>
            <Icon name="x" size={14} />
          </button>
        </div>
      ))}
    </div>
  );
}
