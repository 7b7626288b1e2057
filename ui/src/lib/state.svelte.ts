// Shared UI state (Svelte 5 runes): who we are, which screen, the language.
//
// Only UI state lives here; every record comes from Rust through `call()`.

import { tick, untrack } from 'svelte';
import { bambara, translate, type MsgKey, type Params } from './i18n';
import { call, setIpcLang, setOnLocked, setOnWrite } from './ipc';
import type {
  AppStatus,
  VaultStatus,
  ContractView,
  IpcError,
  Lang,
  MemberSummary,
  ReceiptView,
  SyncStatus,
} from './types';

export type Screen =
  | 'members'
  | 'register'
  | 'delivery'
  | 'fertilizer'
  | 'collection'
  | 'cash'
  | 'sync'
  | 'disburse'
  | 'receipt'
  | 'dashboard'
  | 'anomalies'
  | 'settlement'
  | 'finance'
  | 'device';

export { NAV, navFor, type NavItem } from './nav';

export interface ContractContext {
  contract: ContractView;
  member: MemberSummary;
}

export const app = $state({
  /**
   * The store's lock (`vault_status`): null until known. Nothing but the gate is shown until
   * its state is `open`.
   */
  vault: null as VaultStatus | null,
  /** `vault_status` failed (outside Tauri, a broken set-up): shown with a retry. */
  vaultError: null as IpcError | null,
  /**
   * The recovery key just made (first passphrase, or an old store encrypted): shown once, on
   * the gate, until the user says it is noted. Never kept anywhere else.
   */
  recoveryKey: null as string | null,
  /** Why the gate is back: the idle lock (said on the sign-in screen), or null. */
  lockedBy: null as 'idle' | null,
  /** Null until the first `app_status` answers (and again once locked). */
  status: null as AppStatus | null,
  statusError: null as IpcError | null,
  lang: 'fr' as Lang,
  /**
   * The language Rust words its answers in for this session (the status's), which follows
   * `lang` once `set_lang` has answered: screens showing Rust's words ask again when it changes,
   * not when `lang` does (asked before, they would get the old language back).
   */
  told: 'fr' as Lang,
  /** The user chose "skip" on the first-run screen. */
  skippedSetup: false,
  /** Forces the first-run screen even after a skip (header link). */
  showSetup: false,
  screen: 'members' as Screen,
  /** The member whose card is open on the members screen. */
  memberId: null as string | null,
  /** Selected cooperative on the members screen ("" = all). */
  coopId: '',
  query: '',
  /** Contract being paid or delivered (disburse / delivery screens). */
  contract: null as ContractContext | null,
  /** Receipt on the receipt screen, and where "back" goes. */
  receipt: null as ReceiptView | null,
  receiptBack: 'members' as Screen,
  /** Success banner (#saved): null = hidden, else the detail after "Enregistré". Cleared on navigation. */
  saved: null as string | null,
  sync: null as SyncStatus | null,
  /** How many modal dialogs are open (the shell is inert meanwhile). */
  modals: 0,
  /** Bumped when a member's card changes (corrected, departed…): member lists search again. */
  membersVersion: 0,
});

setIpcLang(() => app.lang);
// A command found the session closed: back to the gate.
setOnLocked(() => {
  if (app.vault?.state === 'open' || app.status !== null) {
    dropSession(app.vault ? { ...app.vault, state: 'locked' } : null);
    void loadVault();
  }
});
// "Enregistré" is about the last write only: hide it as soon as another one starts.
setOnWrite(() => {
  app.saved = null;
});

/** A label in the current language (reactive in templates). */
export function t(key: MsgKey, params?: Params): string {
  return translate(app.lang, key, params);
}

/** The Bambara gloss of a label, if any. */
export function bm(key: MsgKey): string {
  return bambara(key);
}

/** The crop families a member can grow (NewMemberRequest.crops). */
export const FAMILIES = ['rice', 'dry_cereals', 'shallot'] as const;

/** A crop family's label: from a campaign of that family, else the UI's own. */
export function familyLabel(code: string): string {
  const fromCampaign = app.status?.campaigns.find((c) => c.family === code)?.family_label;
  if (fromCampaign) return fromCampaign;
  return (FAMILIES as readonly string[]).includes(code)
    ? translate(app.lang, `family.${code}` as MsgKey)
    : code;
}

/** The calendar year of `AppStatus.today` (the Rust side's clock). */
export function thisYear(): number {
  const y = Number((app.status?.today ?? '').slice(0, 4));
  return Number.isFinite(y) && y > 2000 ? y : new Date().getFullYear();
}

export function setStatus(s: AppStatus): void {
  app.status = s;
  if (s.lang === 'fr' || s.lang === 'en') app.lang = s.lang;
  else if (s.lang === 'fr-FR' || s.lang.startsWith('fr')) app.lang = 'fr';
  else if (s.lang.startsWith('en')) app.lang = 'en';
  app.told = app.lang;
  document.documentElement.lang = app.lang;
}

let interactive = false;

/**
 * Start-up mark read by the desktop's benchmark (src-tauri/benches/window.rs): the first frame
 * drawn once the first screen that answers input is in the page. Called once the status is known.
 */
export function markInteractive(): void {
  if (interactive) return;
  interactive = true;
  requestAnimationFrame(() => performance.mark('sene:interactive'));
}

/** A session is open and the window may show the app (the recovery key is not on screen). */
export function sessionReady(): boolean {
  return app.vault?.state === 'open' && app.recoveryKey === null;
}

/**
 * Bumped on each sign-in, creation, recovery or lock: an answer of `vault_status` asked before
 * is stale and dropped (the start-up check must not undo a sign-in made meanwhile).
 */
let vaultGeneration = 0;

/** A language chosen on the gate: kept once signed in (the store's own setting would win). */
let gateLang: Lang | null = null;

/** Forgets everything of the session shown (status, screen, open records) and shows `vault`. */
function dropSession(vault: VaultStatus | null): void {
  vaultGeneration += 1;
  app.vault = vault;
  app.recoveryKey = null;
  app.status = null;
  app.statusError = null;
  app.sync = null;
  app.skippedSetup = false;
  app.showSetup = false;
  app.screen = 'members';
  app.memberId = null;
  app.coopId = '';
  app.query = '';
  app.contract = null;
  app.receipt = null;
  app.receiptBack = 'members';
  app.saved = null;
}

/** The lock's state as the desktop handed it at start-up, or as a command answered it. */
export function setVault(v: VaultStatus): void {
  app.vault = v;
  app.vaultError = null;
}

/**
 * Asks Rust where the lock stands. When a session is open (the page was reloaded), the status
 * follows; otherwise the gate shows the state.
 */
export async function loadVault(): Promise<void> {
  const generation = vaultGeneration;
  try {
    const v = await call('vault_status');
    if (generation !== vaultGeneration) return;
    if (v.state === 'open') {
      if (app.vault?.state !== 'open' || app.status === null) {
        setVault(v);
        await loadStatus();
        await refreshSync();
      } else {
        setVault(v);
      }
    } else {
      if (app.vault?.state === 'open') dropSession(v);
      setVault(v);
    }
  } catch (e) {
    if (generation !== vaultGeneration) return;
    app.vaultError = e as IpcError;
  }
}

/**
 * A session was just opened (created, encrypted, signed in, recovered) with this status.
 * With a recovery key, the gate shows it before the app.
 */
export async function openSession(s: AppStatus, recoveryKey: string | null = null): Promise<void> {
  vaultGeneration += 1;
  app.lockedBy = null;
  app.recoveryKey = recoveryKey;
  app.vault = app.vault ? { ...app.vault, state: 'open' } : { state: 'open', accounts: [], store_path: '', problem: null };
  app.vaultError = null;
  app.statusError = null;
  const wanted = gateLang;
  gateLang = null;
  setStatus(s);
  if (wanted && wanted !== app.lang) void switchLang(wanted);
  app.screen = 'members';
  if (recoveryKey === null) await go('members');
  void refreshSync();
}

/** The recovery key is noted: the app opens. */
export async function recoveryNoted(): Promise<void> {
  app.recoveryKey = null;
  await go('members');
}

/**
 * Locks: Rust drops the session (the store closes, its key is zeroed) and the window goes back
 * to the sign-in. What a form held and had not saved is lost; every record saved is committed.
 */
export async function lockSession(reason: 'idle' | null = null): Promise<IpcError | null> {
  const before = app.vault;
  dropSession(before ? { ...before, state: 'locked' } : null);
  app.lockedBy = reason;
  try {
    setVault(await call('lock'));
    return null;
  } catch (e) {
    // The window shows no data either way; ask again where the lock stands.
    await loadVault();
    return e as IpcError;
  }
}

export async function loadStatus(): Promise<void> {
  try {
    setStatus(await call('app_status'));
    app.statusError = null;
  } catch (e) {
    app.statusError = e as IpcError;
  }
}

export async function refreshSync(): Promise<void> {
  if (!app.status?.initialized) return;
  try {
    app.sync = await call('sync_status');
  } catch {
    // The pill shows "Synchro ?"; the sync screen shows the error itself.
    app.sync = null;
  }
}

/**
 * For a screen showing what Rust worded (anomalies, conflicts): calls `again` each time Rust's
 * language changes while the screen is open. Called while the screen is set up.
 */
export function whenToldAgain(again: () => void): void {
  let toldIn = app.told;
  $effect(() => {
    const lang = app.told;
    if (lang === toldIn) return;
    toldIn = lang;
    untrack(again);
  });
}

/** Switches the language of the UI at once, then asks Rust to persist it. */
export async function switchLang(lang: Lang): Promise<IpcError | null> {
  const before = app.lang;
  app.lang = lang;
  document.documentElement.lang = lang;
  // Before sign-in there is nothing to persist it in: the labels switch, that is all.
  if (app.vault?.state !== 'open' || app.status === null) {
    gateLang = lang;
    return null;
  }
  try {
    setStatus(await call('set_lang', { lang }));
    return null;
  } catch (e) {
    const err = e as IpcError;
    // Without Tauri the labels still switch (nothing to persist).
    if (err.code !== 'no_tauri') app.lang = before;
    return err;
  }
}

/** Moves to a screen, clears the banner, and puts focus on the screen's heading. */
export async function go(screen: Screen, opts: { keepSaved?: boolean } = {}): Promise<void> {
  app.screen = screen;
  app.showSetup = false;
  if (!opts.keepSaved) app.saved = null;
  await tick();
  const h = document.querySelector<HTMLElement>('main h1');
  h?.focus();
}

/** Shows a receipt just saved (or reprinted), with the success banner. */
export async function showReceipt(r: ReceiptView, back: Screen, saved: boolean): Promise<void> {
  app.receipt = r;
  app.receiptBack = back;
  if (saved) app.saved = `${translate(app.lang, 'rc.number')} ${r.number}`;
  await go('receipt', { keepSaved: saved });
  if (saved) void refreshSync();
}

/** After any successful write: the banner ("Enregistré" + `text`) and the sync pill. */
export function markSaved(text = ''): void {
  app.saved = text;
  void refreshSync();
}
