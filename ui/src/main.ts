import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { loadStatus, markInteractive, refreshSync, setStatus } from './lib/state.svelte';
import type { AppStatus } from './lib/types';

const target = document.getElementById('app');
if (!target) throw new Error('#app missing from index.html');

// The desktop hands the status at start-up to the page before it runs (src-tauri/src/main.rs),
// so the first screen is drawn without waiting for a command. The status is still asked of Rust
// once that screen is on screen (its answer replaces the first one: a reload of the page runs the
// start-up script again). Without it (a plain browser, an error), the status is asked at once.
const boot = (window as { __SENE_BOOT__?: AppStatus }).__SENE_BOOT__;
if (boot) setStatus(boot);
else void loadStatus().then(refreshSync);
const root = mount(App, { target });
if (boot) {
  markInteractive();
  requestAnimationFrame(() => setTimeout(() => void loadStatus().then(refreshSync), 0));
}
export default root;
