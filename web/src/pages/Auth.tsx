import { useState } from 'preact/hooks';
import { ApiError, NetworkError, api, errorMessage } from '../api/client';
import { href } from '../lib/router';
import { signIn } from '../state';

function AuthShell(props: { title: string; subtitle: string; children: preact.ComponentChildren }) {
  return (
    <main class="auth" id="main">
      <div class="auth-card">
        <div class="auth-brand">
          <img src="/icons/icon.svg" alt="" width={48} height={48} />
          <span>Owlistic</span>
        </div>
        <h1>{props.title}</h1>
        <p class="muted">{props.subtitle}</p>
        {props.children}
      </div>
    </main>
  );
}

function loginError(e: unknown): string {
  if (e instanceof NetworkError) return 'Cannot reach the server. Check your connection and try again.';
  if (e instanceof ApiError && e.status === 401) return 'Wrong email or password.';
  return errorMessage(e);
}

export function LoginPage() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      await signIn(email.trim(), password);
      if (location.hash.startsWith('#/login') || location.hash.startsWith('#/register')) location.hash = '#/';
    } catch (err) {
      setError(loginError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthShell title="Welcome back" subtitle="Sign in to your notes and to-dos.">
      <form onSubmit={submit} class="auth-form" data-testid="login-form" noValidate={false}>
        <label class="field">
          <span>Email</span>
          <input
            type="email"
            name="email"
            autocomplete="username"
            required
            value={email}
            onInput={(e) => setEmail((e.target as HTMLInputElement).value)}
            data-testid="login-email"
            autofocus
          />
        </label>
        <label class="field">
          <span>Password</span>
          <input
            type="password"
            name="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword((e.target as HTMLInputElement).value)}
            data-testid="login-password"
          />
        </label>
        {error && (
          <p class="form-error" role="alert" data-testid="login-error">
            {error}
          </p>
        )}
        <button type="submit" class="btn btn-primary full" disabled={busy} data-testid="login-submit">
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p class="auth-alt">
        New here?{' '}
        <a href={href.register()} data-testid="goto-register">
          Create an account
        </a>
      </p>
    </AuthShell>
  );
}

export function RegisterPage() {
  const [form, setForm] = useState({ email: '', username: '', display_name: '', password: '', confirm: '' });
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof form) => (e: Event) => setForm({ ...form, [k]: (e.target as HTMLInputElement).value });

  const submit = async (e: Event) => {
    e.preventDefault();
    setError('');
    if (!form.password) return setError('Choose a password.');
    if (form.password !== form.confirm) return setError('The passwords do not match.');
    setBusy(true);
    try {
      const body: { email: string; password: string; username?: string; display_name?: string } = {
        email: form.email.trim(),
        password: form.password,
      };
      if (form.username.trim()) body.username = form.username.trim();
      if (form.display_name.trim()) body.display_name = form.display_name.trim();
      await api.register(body);
      await signIn(body.email, form.password);
      // The app may already have moved on (signIn resolves after the first data load).
      if (location.hash.startsWith('#/login') || location.hash.startsWith('#/register')) location.hash = '#/';
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) setError(`${err.message || 'That email or username is already registered'}.`.replace(/\.\.$/, '.'));
      else setError(loginError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthShell title="Create your account" subtitle="Notes and to-dos that stay in sync on every device.">
      <form onSubmit={submit} class="auth-form" data-testid="register-form">
        <label class="field">
          <span>Email</span>
          <input type="email" autocomplete="email" required value={form.email} onInput={set('email')} data-testid="register-email" autofocus />
        </label>
        <div class="field-row">
          <label class="field">
            <span>
              Username <small class="muted">(optional)</small>
            </span>
            <input type="text" autocomplete="username" value={form.username} onInput={set('username')} data-testid="register-username" />
          </label>
          <label class="field">
            <span>
              Display name <small class="muted">(optional)</small>
            </span>
            <input type="text" autocomplete="name" value={form.display_name} onInput={set('display_name')} data-testid="register-display-name" />
          </label>
        </div>
        <label class="field">
          <span>Password</span>
          <input type="password" autocomplete="new-password" required value={form.password} onInput={set('password')} data-testid="register-password" />
        </label>
        <label class="field">
          <span>Confirm password</span>
          <input type="password" autocomplete="new-password" required value={form.confirm} onInput={set('confirm')} data-testid="register-confirm" />
        </label>
        {error && (
          <p class="form-error" role="alert" data-testid="register-error">
            {error}
          </p>
        )}
        <button type="submit" class="btn btn-primary full" disabled={busy} data-testid="register-submit">
          {busy ? 'Creating account…' : 'Create account'}
        </button>
      </form>
      <p class="auth-alt">
        Already have an account?{' '}
        <a href={href.login()} data-testid="goto-login">
          Sign in
        </a>
      </p>
    </AuthShell>
  );
}
