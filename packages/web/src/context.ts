import type { WebConfig } from '@espresso/schemas';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Api } from './api';
import type { AuthAdapter } from './auth';
import type { Session } from './logic/session';

export interface AppContext {
  config: WebConfig;
  api: Api;
  auth: AuthAdapter;
  session: Session | undefined;
  setSession(session: Session | undefined): void;
}

export const App = createContext<AppContext | undefined>(undefined);

export const useApp = (): AppContext => {
  const app = useContext(App);
  if (!app) throw new Error('useApp outside <App.Provider>');
  return app;
};

export const navigate = (hash: string, replace = false): void => {
  if (replace) location.replace(hash);
  else location.hash = hash;
};
