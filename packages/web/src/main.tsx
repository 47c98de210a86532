import { render } from 'preact';
import { Root } from './app';
import { authAdapter, saveSession } from './auth';
import { loadWebConfig } from './config';
import './styles.css';

const mount = document.getElementById('app');
if (mount) {
  loadWebConfig().then(
    async (config) => {
      const auth = authAdapter(config.auth);
      // Back from the hosted UI (`?code&state`): finish the sign-in, then drop the query.
      let signInError: unknown;
      try {
        const done = await auth.completeSignIn(new URL(location.href));
        if (done) {
          saveSession(done.session);
          history.replaceState(null, '', `${location.pathname}${done.next ?? '#/'}`);
        }
      } catch (error) {
        signInError = error;
        history.replaceState(null, '', `${location.pathname}#/sign-in`);
      }
      mount.textContent = '';
      render(<Root config={config} auth={auth} signInError={signInError} />, mount);
    },
    (error: Error) => {
      mount.innerHTML = '';
      const p = document.createElement('p');
      p.className = 'error';
      p.setAttribute('role', 'alert');
      p.textContent = `The app could not start: ${error.message}`;
      mount.append(p);
    },
  );
}
