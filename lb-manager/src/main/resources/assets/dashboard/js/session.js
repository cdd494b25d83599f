// The token this tab uses: asked for once, kept in sessionStorage (this tab only), and what it may do.
// The body gets a class per scope (can-operator, ...); CSS hides every [data-needs] action the token may not do.
import {ApiError, forgetToken, onUnauthorized, request, setToken, token} from './api.js';
import {replaceChildren} from './dom.js';

const SCOPES = ['read', 'service-owner', 'operator', 'admin'];
export const session = {tokenId: null, team: null, scopes: [], waiting: false};

function showScopes() {
  for (const scope of SCOPES) document.body.classList.toggle(`can-${scope}`, session.scopes.includes(scope));
  const who = document.getElementById('whoami');
  const form = document.getElementById('token-form');
  if (session.tokenId) {
    replaceChildren(document.getElementById('whoami-text'),
      `Token ${session.tokenId} (team ${session.team}): ${session.scopes.join(', ')}`);
  }
  who.hidden = !session.tokenId;
  form.hidden = !!session.tokenId;
}

function askForToken(message, canRead) {
  session.tokenId = null;
  session.scopes = canRead ? ['read'] : [];
  session.waiting = !canRead;
  showScopes();
  if (session.waiting) document.getElementById('live').textContent = 'Waiting for an API token';
  const error = document.getElementById('token-error');
  if (error.textContent === (message || '')) return; // already asking: leave the focus where the user put it
  error.textContent = message || '';
  document.getElementById('token').focus();
}

/** Who the stored token is; resolves to true when the API may be read (with the token, or because reads are open). */
export async function identify() {
  try {
    const me = await request('GET', '/auth/whoami');
    session.tokenId = me.anonymous ? null : me.tokenId;
    session.team = me.team;
    session.scopes = me.scopes || [];
    session.waiting = false;
    showScopes();
    if (me.anonymous) askForToken('', true);
    return true;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return false;
    throw e;
  }
}

/** Wires the token form; calls started() once the API can be read. */
export function setupSession(started) {
  const form = document.getElementById('token-form');
  const input = document.getElementById('token');
  onUnauthorized((message) => {
    forgetToken();
    askForToken(token() ? '' : `The manager refused: ${message}`);
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!input.value.trim()) return;
    setToken(input.value);
    input.value = '';
    if (await identify()) started();
  });
  document.getElementById('forget-token').addEventListener('click', () => {
    forgetToken();
    askForToken('Token forgotten in this tab.');
  });
  identify().then((ok) => {
    if (ok) started();
    else askForToken('This manager needs an API token (ask an admin: lbm tokens create).');
  }).catch((e) => askForToken(String(e)));
}
