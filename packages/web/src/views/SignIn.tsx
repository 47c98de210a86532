import type { Role } from '@espresso/schemas';
import { useState } from 'preact/hooks';
import { ErrorNote } from '../components/common';
import { navigate, useApp } from '../context';
import { parseRoute } from '../logic/route';

const ROLES: { role: Role; title: string; what: string }[] = [
  { role: 'customer', title: 'Customer', what: 'order from your phone' },
  { role: 'barista', title: 'Barista', what: 'the queue on a tablet' },
  { role: 'display', title: 'Display', what: 'the big screen with the QR code' },
  { role: 'admin', title: 'Admin', what: 'every staff screen of the shop' },
];

/** Where a role lands after signing in. */
export const homeOf = (role: Role, shopId: string): string =>
  role === 'customer'
    ? `#/shop/${shopId}/order`
    : role === 'display'
      ? `#/shop/${shopId}/display`
      : `#/shop/${shopId}/barista`;

/** The role a screen needs, to preselect it on the sign-in form. */
const roleFor = (next: string | undefined): { role: Role; shopId?: string } => {
  const route = parseRoute(next ?? '');
  if (route.view === 'barista' || route.view === 'dashboard')
    return { role: 'barista', shopId: route.shopId };
  if (route.view === 'display') return { role: 'display', shopId: route.shopId };
  if (route.view === 'order-start' || route.view === 'order')
    return { role: 'customer', shopId: route.shopId };
  return { role: 'customer' };
};

export const SignIn = ({ next }: { next?: string | undefined }) => {
  const { auth, setSession } = useApp();
  const wanted = roleFor(next);
  const [role, setRole] = useState<Role>(wanted.role);
  const [shopId, setShopId] = useState(wanted.shopId ?? 'demo');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const session = await auth.signIn({ role, shopId: shopId.trim(), next });
      setSession(session);
      navigate(next ?? homeOf(session.role, session.shopId ?? shopId.trim()), true);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="sign-in" id="main" tabIndex={-1}>
      <h1>Sign in</h1>
      {auth.picksRole ? (
        <p class="muted">
          Local dev login: pick a role and a shop. On AWS this is the Cognito sign-in page.
        </p>
      ) : (
        <p class="muted">
          You sign in on the shop's sign-in page and come back here; what you may open follows from
          your account.
        </p>
      )}
      <form onSubmit={submit}>
        {auth.picksRole ? (
          <>
            <fieldset class="roles">
              <legend>Sign in as</legend>
              {ROLES.map((r) => (
                <label key={r.role} class={`role-choice ${role === r.role ? 'chosen' : ''}`}>
                  <input
                    type="radio"
                    name="role"
                    value={r.role}
                    checked={role === r.role}
                    onChange={() => setRole(r.role)}
                  />
                  <strong>{r.title}</strong> <span class="muted">{r.what}</span>
                </label>
              ))}
            </fieldset>
            <label class="field">
              Shop
              <input
                name="shopId"
                value={shopId}
                required
                pattern="[a-z0-9][a-z0-9\-]*"
                autoComplete="off"
                onInput={(e) => setShopId(e.currentTarget.value)}
              />
            </label>
          </>
        ) : null}
        <ErrorNote error={error} />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
};
