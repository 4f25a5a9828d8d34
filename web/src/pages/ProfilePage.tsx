import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, errorMessage, session } from '../api/client';
import { Icon } from '../components/icons';
import { RemindersSettings } from '../components/RemindersSettings';
import { useStore } from '../lib/store';
import { toast } from '../lib/toast';
import { app, signOut } from '../state';
import { setTheme, theme, type ThemePref } from '../theme';

export function ProfilePage() {
  const user = useStore(app, (s) => s.user);
  const pref = useStore(theme, (s) => s.pref);
  const [form, setForm] = useState({ username: '', display_name: '', email: '' });
  const [saving, setSaving] = useState(false);
  const [profileError, setProfileError] = useState('');
  const [pw, setPw] = useState({ current: '', next: '', confirm: '' });
  const [pwError, setPwError] = useState('');
  const [pwBusy, setPwBusy] = useState(false);

  useEffect(() => {
    if (user) setForm({ username: user.username ?? '', display_name: user.display_name ?? '', email: user.email ?? '' });
  }, [user?.id, user?.updated_at]);

  if (!user) return null;

  const dirty = form.username !== (user.username ?? '') || form.display_name !== (user.display_name ?? '') || form.email !== (user.email ?? '');

  const saveProfile = async (e: Event) => {
    e.preventDefault();
    setSaving(true);
    setProfileError('');
    try {
      const body: { username?: string; display_name?: string; email?: string } = {};
      if (form.username !== user.username) body.username = form.username.trim();
      if (form.display_name !== user.display_name) body.display_name = form.display_name.trim();
      if (form.email !== user.email) body.email = form.email.trim();
      const updated = await api.updateProfile(body);
      app.set({ user: { ...user, ...updated } });
      toast('Profile saved', 'success');
    } catch (err) {
      setProfileError(err instanceof ApiError && err.status === 409 ? `${err.message}` : errorMessage(err));
    } finally {
      setSaving(false);
    }
  };

  const changePassword = async (e: Event) => {
    e.preventDefault();
    setPwError('');
    if (pw.next !== pw.confirm) return setPwError('The new passwords do not match.');
    if (!pw.next) return setPwError('Enter a new password.');
    setPwBusy(true);
    try {
      const res = await api.changePassword(user.id, { current_password: pw.current, new_password: pw.next });
      if (res?.token) session.setAccessToken(res.token);
      setPw({ current: '', next: '', confirm: '' });
      toast('Password changed', 'success');
    } catch (err) {
      setPwError(err instanceof ApiError && err.status === 401 ? 'The current password is incorrect.' : errorMessage(err));
    } finally {
      setPwBusy(false);
    }
  };

  const themeOption = (value: ThemePref, label: string, icon: 'sun' | 'moon' | 'monitor') => (
    <label class={`seg${pref === value ? ' active' : ''}`}>
      <input type="radio" name="theme" value={value} checked={pref === value} onChange={() => setTheme(value)} data-testid={`theme-${value}`} />
      <Icon name={icon} size={16} /> {label}
    </label>
  );

  return (
    <div class="page narrow" data-testid="profile-page">
      <header class="page-head">
        <div>
          <h1>Profile</h1>
          <p class="muted">Signed in as {user.email}</p>
        </div>
        <div class="page-actions">
          <button type="button" class="btn" onClick={() => void signOut()} data-testid="logout-button">
            <Icon name="logout" /> Sign out
          </button>
        </div>
      </header>

      <form class="card form-card" onSubmit={saveProfile} data-testid="profile-form">
        <h2>Account</h2>
        <div class="field-row">
          <label class="field">
            <span>Username</span>
            <input type="text" autocomplete="username" value={form.username} onInput={(e) => setForm({ ...form, username: (e.target as HTMLInputElement).value })} data-testid="profile-username" />
          </label>
          <label class="field">
            <span>Display name</span>
            <input type="text" autocomplete="name" value={form.display_name} onInput={(e) => setForm({ ...form, display_name: (e.target as HTMLInputElement).value })} data-testid="profile-display-name" />
          </label>
        </div>
        <label class="field">
          <span>Email</span>
          <input type="email" autocomplete="email" required value={form.email} onInput={(e) => setForm({ ...form, email: (e.target as HTMLInputElement).value })} data-testid="profile-email" />
        </label>
        {profileError && (
          <p class="form-error" role="alert" data-testid="profile-error">
            {profileError}
          </p>
        )}
        <div class="form-actions">
          <button type="submit" class="btn btn-primary" disabled={!dirty || saving} data-testid="profile-save">
            {saving ? 'Saving…' : 'Save changes'}
          </button>
        </div>
      </form>

      <form class="card form-card" onSubmit={changePassword} data-testid="password-form">
        <h2>Password</h2>
        <input type="text" autocomplete="username" value={user.email} hidden readOnly />
        <label class="field">
          <span>Current password</span>
          <input type="password" autocomplete="current-password" required value={pw.current} onInput={(e) => setPw({ ...pw, current: (e.target as HTMLInputElement).value })} data-testid="password-current" />
        </label>
        <div class="field-row">
          <label class="field">
            <span>New password</span>
            <input type="password" autocomplete="new-password" required value={pw.next} onInput={(e) => setPw({ ...pw, next: (e.target as HTMLInputElement).value })} data-testid="password-new" />
          </label>
          <label class="field">
            <span>Confirm new password</span>
            <input type="password" autocomplete="new-password" required value={pw.confirm} onInput={(e) => setPw({ ...pw, confirm: (e.target as HTMLInputElement).value })} data-testid="password-confirm" />
          </label>
        </div>
        {pwError && (
          <p class="form-error" role="alert" data-testid="password-error">
            {pwError}
          </p>
        )}
        <div class="form-actions">
          <button type="submit" class="btn btn-primary" disabled={pwBusy} data-testid="password-save">
            {pwBusy ? 'Changing…' : 'Change password'}
          </button>
        </div>
      </form>

      <RemindersSettings user={user} />

      <section class="card form-card">
        <h2 id="appearance-h">Appearance</h2>
        <div class="segmented" role="radiogroup" aria-labelledby="appearance-h" data-testid="theme-select">
          {themeOption('light', 'Light', 'sun')}
          {themeOption('dark', 'Dark', 'moon')}
          {themeOption('system', 'System', 'monitor')}
        </div>
      </section>
    </div>
  );
}
