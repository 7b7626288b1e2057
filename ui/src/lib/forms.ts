// Small helpers shared by the forms.

import type { IpcError } from './types';
import type { Errors } from './validate';

/** `aria-describedby` for a control: its help text and its error, when shown. */
export function describedBy(id: string, error?: string, help = false): string | undefined {
  const ids = [help ? `${id}-help` : '', error ? `${id}-err` : ''].filter(Boolean);
  return ids.length > 0 ? ids.join(' ') : undefined;
}

/** The field errors to show for an error from Rust (its `field`, when the form has it). */
export function fieldErrors(err: IpcError, fields: readonly string[]): Errors {
  return err.field && fields.includes(err.field) ? { [err.field]: err.message } : {};
}

/** Focuses the first invalid control of a form (after the errors are rendered). */
export function focusFirstInvalid(form: HTMLElement | null | undefined): void {
  queueMicrotask(() => {
    requestAnimationFrame(() => {
      form?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
    });
  });
}
