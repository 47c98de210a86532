import { render } from 'preact';
import { Root } from './app';
import { loadWebConfig } from './config';
import './styles.css';

const mount = document.getElementById('app');
if (mount) {
  loadWebConfig().then(
    (config) => {
      mount.textContent = '';
      render(<Root config={config} />, mount);
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
