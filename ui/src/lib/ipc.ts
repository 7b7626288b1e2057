// The one place where the UI talks to Rust.
//
// Every command takes one argument named `req` (or none) and rejects with
// `{ code, message, field }` whose message is already in the user's language.
// Anything else that goes wrong (no Tauri at all, a panic turned into a bare
// string…) is turned into the same shape, so screens handle one kind of error.

import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type { Commands, CommandName, IpcError, Lang } from './types';
import { GATE, WRITES } from './commands.gen';
import { translate } from './i18n';

let currentLang: () => Lang = () => 'fr';
let onWrite: () => void = () => {};
let onLocked: () => void = () => {};

/** Lets the IPC layer word its own errors in the language of the UI. */
export function setIpcLang(getter: () => Lang): void {
  currentLang = getter;
}

/** Commands that record something: a success banner must never outlive the next one. */
export const WRITE_COMMANDS: ReadonlySet<CommandName> = new Set<CommandName>(WRITES);

/** Called when a write command starts (the UI clears its "Enregistré" banner). */
export function setOnWrite(hook: () => void): void {
  onWrite = hook;
}

/**
 * The gate's commands: they answer whether a session is open or not. Any other command fails
 * with code `locked` when none is (after a lock, or the window reloaded meanwhile).
 */
export const GATE_COMMANDS: ReadonlySet<CommandName> = new Set<CommandName>(GATE);

/** Called when a command outside the gate finds no session open (the UI shows the sign-in). */
export function setOnLocked(hook: () => void): void {
  onLocked = hook;
}

/** True when running inside the Tauri webview (not in a plain browser). */
export function hasTauri(): boolean {
  return typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window;
}

function isIpcError(e: unknown): e is IpcError {
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof (e as { code?: unknown }).code === 'string' &&
    typeof (e as { message?: unknown }).message === 'string'
  );
}

/** Normalises anything a command may reject with into an `IpcError`. */
export function toIpcError(e: unknown): IpcError {
  if (isIpcError(e)) {
    const field = (e as { field?: unknown }).field;
    return { code: e.code, message: e.message, field: typeof field === 'string' ? field : null };
  }
  const text =
    typeof e === 'string' ? e : e instanceof Error ? e.message : JSON.stringify(e ?? null);
  return {
    code: 'ipc_failure',
    message: translate(currentLang(), 'err.ipc', { detail: text }),
    field: null,
  };
}

type ReqArgs<K extends CommandName> = Commands[K][0] extends void ? [] : [req: Commands[K][0]];

/**
 * Calls a Tauri command of the contract. Rejects with an `IpcError`.
 * Outside Tauri it rejects at once with `code: "no_tauri"`: no fake data.
 */
export async function call<K extends CommandName>(
  cmd: K,
  ...args: ReqArgs<K>
): Promise<Commands[K][1]> {
  if (!hasTauri()) {
    const err: IpcError = {
      code: 'no_tauri',
      message: translate(currentLang(), 'err.noTauri'),
      field: null,
    };
    throw err;
  }
  if (WRITE_COMMANDS.has(cmd)) onWrite();
  try {
    const payload = args.length > 0 ? { req: args[0] } : undefined;
    return (await invoke(cmd, payload)) as Commands[K][1];
  } catch (e) {
    const err = toIpcError(e);
    if (err.code === 'locked' && !GATE_COMMANDS.has(cmd)) onLocked();
    throw err;
  }
}

/** Listens to a Tauri event; returns a function that stops listening. */
export async function onEvent<T>(name: string, handler: (payload: T) => void): Promise<UnlistenFn> {
  if (!hasTauri()) return () => {};
  return listen<T>(name, (event) => handler(event.payload));
}

/**
 * Opens the system print dialog for the page (its print style sheet shows only the document).
 * In the desktop window this goes through Rust (WebKitGTK's `window.print()` shows no dialog
 * there); in a plain browser, `window.print()`.
 */
export async function printPage(): Promise<void> {
  if (!hasTauri()) {
    window.print();
    return;
  }
  await call('print_page');
}
