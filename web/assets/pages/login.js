// Sign-in: POST /api/v1/auth/login sets the session cookie (HttpOnly; the
// password is sent once and kept nowhere); then back to the page that asked.
import { apiSend } from '../lib/api.js';
import { h } from '../lib/dom.js';

export function mount(root, ctx) {
  const params = ctx.params;
  const user = h('input', { name: 'user', autocomplete: 'username', required: true, 'data-testid': 'login-user',
    autofocus: true });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true,
    'data-testid': 'login-password' });
  const message = h('div', { class: 'error-box', role: 'alert', hidden: true, 'data-testid': 'login-error' });
  const button = h('button', { type: 'submit', class: 'primary', 'data-testid': 'login-submit' }, 'Sign in');
  const form = h('form', { class: 'login-form', onsubmit: submit },
    h('h1', {}, 'OpenSOC'),
    params.get('expired') ? h('p', { class: 'muted' }, 'Your session ended; sign in again.') : null,
    h('label', {}, 'User', user),
    h('label', {}, 'Password', password),
    message, button);
  root.append(h('div', { class: 'login-wrap' }, form));
  user.focus();

  async function submit(e) {
    e.preventDefault();
    message.hidden = true;
    button.disabled = true;
    try {
      await apiSend('POST', '/api/v1/auth/login', { user: user.value, password: password.value });
      password.value = '';
      await ctx.reloadUser();
      ctx.go(params.get('next') || '/console/', { replace: true });
    } catch (err) {
      password.value = '';
      message.textContent = err.status === 429 ? `Too many failed sign-ins; ${err.message}`
        : err.status === 401 ? 'Wrong user name or password.' : err.message;
      message.hidden = false;
      password.focus();
    } finally {
      button.disabled = false;
    }
  }
  return {};
}
