import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { loadVault, markInteractive, setVault } from './lib/state.svelte';
import type { VaultStatus } from './lib/types';

const target = document.getElementById('app');
if (!target) throw new Error('#app missing from index.html');

// Nothing of the store is open before someone signs in. The desktop hands the lock's state at
// start-up to the page before it runs (`window.__SENE_VAULT__`, src-tauri/src/main.rs), so the
// gate (first passphrase, sign-in…) is drawn without waiting for a command. The state is still
// asked of Rust once that screen is on screen: its answer replaces the first one (a reload of the
// page runs the start-up script again, with the state of the start; a session open meanwhile is
// found that way, and its status asked). Without it (a plain browser, an error), it is asked at once.
const boot = (window as { __SENE_VAULT__?: VaultStatus | null }).__SENE_VAULT__;
if (boot) setVault(boot);
else void loadVault();
const root = mount(App, { target });
if (boot) {
  markInteractive();
  requestAnimationFrame(() => setTimeout(() => void loadVault(), 0));
}
export default root;
