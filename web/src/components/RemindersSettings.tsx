// Profile: time zone, e-mail reminders, and the secret calendar-feed URL (copy, rotate, revoke).
import { useState } from 'preact/hooks';
import { ApiError, api, errorMessage } from '../api/client';
import type { User } from '../api/types';
import { browserZone } from '../lib/format';
import { toast } from '../lib/toast';
import { app } from '../state';
import { confirmDialog } from './Dialog';

const ZONES: string[] = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [browserZone()];

export function RemindersSettings({ user }: { user: User }) {
  const [feedUrl, setFeedUrl] = useState('');
  const [busy, setBusy] = useState(false);

  const saveProfile = async (patch: { time_zone?: string; email_reminders?: boolean }) => {
    try {
      const updated = await api.updateProfile(patch);
      app.set({ user: { ...user, ...updated } });
      toast('Saved', 'success');
    } catch (err) {
      toast(errorMessage(err), 'error');
    }
  };

  const rotate = async () => {
    if (feedUrl && !(await confirmDialog({ title: 'New feed URL?', message: 'Calendars subscribed to the current URL stop updating until you give them the new one.', confirmLabel: 'New URL' }))) return;
    setBusy(true);
    try {
      setFeedUrl((await api.createCalendarFeed()).url);
    } catch (err) {
      toast(errorMessage(err), 'error');
    } finally {
      setBusy(false);
    }
  };

  const revoke = async () => {
    try {
      await api.revokeCalendarFeed();
      toast('The calendar feed is turned off', 'success');
    } catch (err) {
      toast(err instanceof ApiError && err.status === 404 ? 'There is no calendar feed to turn off' : errorMessage(err), 'error');
    }
    setFeedUrl('');
  };

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(feedUrl);
      toast('Feed URL copied', 'success');
    } catch {
      toast('Select the URL and copy it', 'error');
    }
  };

  return (
    <section class="card form-card" data-testid="reminder-settings">
      <h2>Reminders and calendar</h2>
      <label class="field">
        <span>Time zone (for “today” and new tasks)</span>
        <select value={user.time_zone ?? browserZone()} onChange={(e) => void saveProfile({ time_zone: (e.target as HTMLSelectElement).value })} data-testid="profile-time-zone">
          {ZONES.map((z) => (
            <option key={z} value={z}>
              {z}
            </option>
          ))}
        </select>
      </label>
      <label class="check">
        <input type="checkbox" checked={!!user.email_reminders} onChange={(e) => void saveProfile({ email_reminders: (e.target as HTMLInputElement).checked })} data-testid="profile-email-reminders" />
        Also send reminders by e-mail (when the server has e-mail set up)
      </label>
      <h3>Calendar feed</h3>
      <p class="muted">A secret address calendar apps (Google Calendar, Apple Calendar, Thunderbird) can subscribe to, showing your open and dated tasks. Anyone with the address can read it.</p>
      {feedUrl && (
        <div class="field-row">
          <input type="text" readOnly value={feedUrl} onFocus={(e) => (e.target as HTMLInputElement).select()} data-testid="calendar-feed-url" aria-label="Calendar feed URL" />
          <button type="button" class="btn" onClick={() => void copy()} data-testid="calendar-feed-copy">
            Copy
          </button>
        </div>
      )}
      <div class="form-actions">
        <button type="button" class="btn" onClick={() => void revoke()} data-testid="calendar-feed-revoke">
          Turn off
        </button>
        <button type="button" class="btn btn-primary" disabled={busy} onClick={() => void rotate()} data-testid="calendar-feed-create">
          {feedUrl ? 'New URL' : 'Get feed URL'}
        </button>
      </div>
    </section>
  );
}
