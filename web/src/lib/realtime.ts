// WebSocket event stream with reconnect, resume (`since=`) and heartbeat.
import { refreshSession, session, wsUrl } from '../api/client';
import type { WsEnvelope } from '../api/types';
import { Emitter } from './store';

export type ConnState = 'connecting' | 'connected' | 'reconnecting' | 'offline';

const MIN_BACKOFF = 500;
const MAX_BACKOFF = 10_000;
const PING_EVERY = 25_000;
const PONG_TIMEOUT = 10_000;

export class Realtime {
  readonly events = new Emitter<WsEnvelope>();
  /** Fired after a (re)connection when the client may have missed events and must refetch. */
  readonly resync = new Emitter<{ reason: string }>();
  readonly stateChanged = new Emitter<ConnState>();

  state: ConnState = 'connecting';
  private ws: WebSocket | null = null;
  private lastEventId: string | null = null;
  private backoff = MIN_BACKOFF;
  private retryTimer: number | undefined;
  private pingTimer: number | undefined;
  private pongTimer: number | undefined;
  private running = false;
  private everConnected = false;
  private seen = new Set<string>();
  private seenOrder: string[] = [];

  start(): void {
    if (this.running) return;
    this.running = true;
    window.addEventListener('online', this.onOnline);
    window.addEventListener('offline', this.onOffline);
    document.addEventListener('visibilitychange', this.onVisible);
    this.connect();
  }

  stop(): void {
    this.running = false;
    window.removeEventListener('online', this.onOnline);
    window.removeEventListener('offline', this.onOffline);
    document.removeEventListener('visibilitychange', this.onVisible);
    clearTimeout(this.retryTimer);
    this.clearHeartbeat();
    const ws = this.ws;
    this.ws = null;
    ws?.close(1000, 'logout');
    this.lastEventId = null;
    this.everConnected = false;
    this.seen.clear();
    this.seenOrder = [];
    this.setState('connecting');
  }

  /** Reconnect now (e.g. the user pressed "retry"). */
  reconnectNow(): void {
    if (!this.running) return;
    clearTimeout(this.retryTimer);
    this.backoff = MIN_BACKOFF;
    if (this.ws && this.ws.readyState === WebSocket.OPEN) return;
    this.ws?.close();
    this.ws = null;
    this.connect();
  }

  private onOnline = () => this.reconnectNow();
  private onOffline = () => {
    this.setState('offline');
    this.ws?.close();
  };
  private onVisible = () => {
    if (document.visibilityState === 'visible' && this.state !== 'connected') this.reconnectNow();
  };

  private setState(s: ConnState): void {
    if (this.state === s) return;
    this.state = s;
    this.stateChanged.emit(s);
  }

  private async connect(): Promise<void> {
    if (!this.running) return;
    clearTimeout(this.retryTimer);
    if (!navigator.onLine) {
      this.setState('offline');
      return;
    }
    this.setState(this.everConnected ? 'reconnecting' : 'connecting');
    const left = session.secondsLeft();
    if (left !== null && left < 30) await refreshSession();
    const token = session.accessToken;
    if (!token || !this.running) return;

    let ws: WebSocket;
    try {
      ws = new WebSocket(wsUrl(token, this.lastEventId));
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    let opened = false;

    ws.onopen = () => {
      if (this.ws !== ws) return;
      opened = true;
      const reconnect = this.everConnected;
      this.everConnected = true;
      this.backoff = MIN_BACKOFF;
      this.setState('connected');
      this.startHeartbeat();
      // Without a resume point we cannot know what we missed while away.
      if (reconnect && !this.lastEventId) this.resync.emit({ reason: 'reconnected' });
    };
    ws.onmessage = (ev) => {
      if (this.ws !== ws) return;
      this.armPongTimeout(false);
      const raw = typeof ev.data === 'string' ? ev.data : '';
      for (const line of raw.split('\n')) {
        if (!line.trim()) continue;
        let msg: WsEnvelope;
        try {
          msg = JSON.parse(line) as WsEnvelope;
        } catch {
          continue;
        }
        this.handle(msg);
      }
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.clearHeartbeat();
      if (!this.running) return;
      // A close before open is usually an auth failure at the upgrade: refresh the token.
      if (!opened || ev.code === 1008 || ev.code === 4001 || ev.code === 4401) void refreshSession();
      this.setState(navigator.onLine ? 'reconnecting' : 'offline');
      this.scheduleReconnect();
    };
    ws.onerror = () => {
      /* onclose follows */
    };
  }

  private handle(msg: WsEnvelope): void {
    if (msg.type === 'pong') return;
    if (msg.type === 'error') {
      if (msg.event === 'resync_required') {
        this.lastEventId = null;
        this.resync.emit({ reason: 'resync_required' });
      }
      return;
    }
    if (msg.type !== 'event') return;
    const eid = msg.payload?.event_id;
    if (typeof eid === 'string' && eid) {
      if (this.seen.has(eid)) return; // duplicate delivery (at-least-once)
      this.seen.add(eid);
      this.seenOrder.push(eid);
      if (this.seenOrder.length > 2000) this.seen.delete(this.seenOrder.shift()!);
      this.lastEventId = eid;
    }
    this.events.emit(msg);
  }

  private scheduleReconnect(): void {
    clearTimeout(this.retryTimer);
    const delay = this.backoff * (0.8 + Math.random() * 0.4);
    this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF);
    this.retryTimer = window.setTimeout(() => void this.connect(), delay);
  }

  private startHeartbeat(): void {
    this.clearHeartbeat();
    this.pingTimer = window.setInterval(() => {
      const ws = this.ws;
      if (!ws || ws.readyState !== WebSocket.OPEN) return;
      try {
        ws.send(JSON.stringify({ type: 'ping' }));
        this.armPongTimeout(true);
      } catch {
        ws.close();
      }
    }, PING_EVERY);
  }

  private armPongTimeout(arm: boolean): void {
    clearTimeout(this.pongTimer);
    if (!arm) return;
    this.pongTimer = window.setTimeout(() => {
      // No answer to our ping: the socket is dead even if the browser has not noticed.
      this.ws?.close(4000, 'heartbeat timeout');
      if (this.ws) {
        const ws = this.ws;
        this.ws = null;
        ws.onclose = null;
        this.clearHeartbeat();
        this.setState('reconnecting');
        this.scheduleReconnect();
      }
    }, PONG_TIMEOUT);
  }

  private clearHeartbeat(): void {
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
  }
}

export const realtime = new Realtime();
