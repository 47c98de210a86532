import type { WebConfig } from '@espresso/schemas';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { createApi } from './api';
import { type AuthAdapter, authAdapter, savedSession, saveSession } from './auth';
import { ErrorNote } from './components/common';
import { App, navigate } from './context';
import { href, parseRoute, type Route } from './logic/route';
import { mayOpen, type Session } from './logic/session';
import { Barista } from './views/Barista';
import { History, OrderStart, OrderView } from './views/Customer';
import { Dashboard } from './views/Dashboard';
import { Display } from './views/Display';
import { homeOf, SignIn } from './views/SignIn';

const useRoute = (): Route => {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
};

const Header = ({
  session,
  onSignOut,
}: {
  session: Session | undefined;
  onSignOut: () => void;
}) => {
  const shop = session?.shopId && session.shopId !== '*' ? session.shopId : 'demo';
  const staff = session && session.role !== 'customer';
  return (
    <header class="top">
      <button type="button" class="skip" onClick={() => document.getElementById('main')?.focus()}>
        Skip to content
      </button>
      <a class="brand" href={href({ view: 'home' })}>
        <span aria-hidden="true">☕</span> Serverless Espresso
      </a>
      {session ? (
        <nav aria-label="Screens">
          {staff ? (
            <>
              {session.role !== 'display' ? (
                <a href={href({ view: 'barista', shopId: shop })}>Barista</a>
              ) : null}
              {session.role !== 'barista' ? (
                <a href={href({ view: 'display', shopId: shop })}>Display</a>
              ) : null}
              {session.role !== 'display' ? (
                <a href={href({ view: 'dashboard', shopId: shop })}>Dashboard</a>
              ) : null}
            </>
          ) : (
            <>
              <a href={href({ view: 'order-start', shopId: shop })}>Order</a>
              <a href={href({ view: 'history' })}>My orders</a>
            </>
          )}
          <span class="who">
            {session.role}
            {session.shopId ? ` · ${session.shopId}` : ''}
          </span>
          <button type="button" onClick={onSignOut}>
            Sign out
          </button>
        </nav>
      ) : null}
    </header>
  );
};

const Screen = ({ route, session }: { route: Route; session: Session | undefined }) => {
  const here = location.hash || '#/';
  useEffect(() => {
    if (route.view === 'home' && session)
      navigate(
        homeOf(session.role, session.shopId && session.shopId !== '*' ? session.shopId : 'demo'),
        true,
      );
  }, [route, session]);
  switch (route.view) {
    case 'home':
      return session ? null : <SignIn />;
    case 'sign-in':
      return <SignIn next={route.next} />;
    case 'not-found':
      return (
        <main id="main" tabIndex={-1}>
          <h1>Not found</h1>
          <p>
            Nothing lives at <code>{route.path}</code>. <a href="#/">Start over</a>.
          </p>
        </main>
      );
    default:
      break;
  }
  if (!session) return <SignIn next={here} />;
  switch (route.view) {
    case 'order-start':
      return <OrderStart shopId={route.shopId} code={route.code} />;
    case 'order':
      return <OrderView shopId={route.shopId} orderId={route.orderId} />;
    case 'history':
      return <History />;
    case 'barista':
    case 'display':
    case 'dashboard': {
      if (!mayOpen(session, route.view, route.shopId)) {
        return (
          <>
            <p class="error" role="alert">
              This screen needs a {route.view === 'display' ? 'display' : 'barista'} or admin
              sign-in for shop {route.shopId}.
            </p>
            <SignIn next={here} />
          </>
        );
      }
      if (route.view === 'barista') return <Barista shopId={route.shopId} />;
      if (route.view === 'display') return <Display shopId={route.shopId} />;
      return <Dashboard shopId={route.shopId} />;
    }
  }
};

export const Root = ({
  config,
  auth: givenAuth,
  signInError,
}: {
  config: WebConfig;
  auth?: AuthAdapter;
  /** Why finishing a hosted-UI sign-in failed, shown once. */
  signInError?: unknown;
}) => {
  const route = useRoute();
  const [session, setSessionState] = useState<Session | undefined>(savedSession);
  const current = useRef(session);
  current.current = session;
  const setSession = (next: Session | undefined) => {
    saveSession(next);
    current.current = next;
    setSessionState(next);
  };
  const auth = useMemo(() => givenAuth ?? authAdapter(config.auth), [config, givenAuth]);
  const api = useMemo(
    () =>
      createApi(
        config,
        () => current.current?.token,
        () => setSession(undefined),
      ),
    [config],
  );
  return (
    <App.Provider value={{ config, api, auth, session, setSession }}>
      <Header
        session={session}
        onSignOut={() => {
          setSession(undefined);
          navigate('#/sign-in');
          auth.signOut();
        }}
      />
      {signInError && !session ? <ErrorNote error={signInError} /> : null}
      <Screen route={route} session={session} />
    </App.Provider>
  );
};
