import { realtime } from '../lib/realtime';
import { useStore } from '../lib/store';
import { app } from '../state';
import { Icon } from './icons';

const LABEL = {
  connected: 'Live',
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
} as const;

export function ConnectionIndicator({ compact = false }: { compact?: boolean }) {
  const conn = useStore(app, (s) => s.conn);
  const down = conn !== 'connected';
  return (
    <div
      class={`conn conn-${conn}${compact ? ' compact' : ''}`}
      role="status"
      aria-live="polite"
      data-testid={compact ? 'connection-indicator-compact' : 'connection-indicator'}
      data-state={conn}
      title={down ? 'Changes from other devices will appear when the connection is back' : 'Connected: changes sync live'}
    >
      <span class="conn-dot" aria-hidden="true" />
      <span class="conn-label">{LABEL[conn]}</span>
      {down && !compact && (
        <button type="button" class="link-btn" onClick={() => realtime.reconnectNow()} data-testid="connection-retry">
          <Icon name="refresh" size={14} /> Retry
        </button>
      )}
    </div>
  );
}
