// Small helpers shared by the forms.

import type { IpcError } from './types';
import type { Errors } from './validate';

/** `aria-describedby` for a control: its help text and its error, when shown. */
export function describedBy(id: string, error?: string, help = false): string | undefined {
  const ids = [help ? `${id}-help` : '', error ? `${id}-err` : ''].filter(Boolean);
  return ids.length > 0 ? ids.join(' ') : undefined;
}

/**
 * Rust's `field` is meant to be the request's field name (`amount`); the first Rust
 * draft sends the French label it parsed (`montant`, `poids brut (kg)`). Both are
 * understood; anything else only shows in the error box.
 */
const FIELD_ALIASES: Record<string, string> = {
  montant: 'amount',
  "montant de l'avance": 'amount',
  'mode de paiement': 'mode',
  'nombre de sacs': 'bags',
  sacs: 'bags',
  'sacs remis': 'bags',
  'poids brut (kg)': 'gross_kg',
  'poids brut': 'gross_kg',
  'humidité (%)': 'moisture',
  humidité: 'moisture',
  'impuretés (%)': 'impurity',
  impuretés: 'impurity',
  magasin: 'warehouse_id',
  'payé comptant': 'cash_paid',
  'quantité engagée (kg)': 'committed_kg',
  'quantité engagée': 'committed_kg',
  culture: 'crop',
  campagne: 'campaign_id',
  sexe: 'sex',
  'numéro de membre': 'number',
  'nom complet': 'full_name',
  nom: 'full_name',
  village: 'village',
  'année de naissance': 'birth_year',
  téléphone: 'phone',
  nina: 'nina',
  coopérative: 'cooperative_id',
  produit: 'product_id',
  motif: 'reason',
  "nom de l'union": 'union_name',
  région: 'region',
  agent: 'agent_name',
  "nom de l'agent": 'agent_name',
  appareil: 'device_label',
  "nom de l'appareil": 'device_label',
  'préfixe de reçu': 'receipt_prefix',
  'adresse du hub': 'hub_url',
  code: 'code',
  chemin: 'path',
};

/** The request field a Rust `field` designates, or null. */
export function fieldName(field: string | null, fields: readonly string[]): string | null {
  if (!field) return null;
  if (fields.includes(field)) return field;
  const alias = FIELD_ALIASES[field.trim().toLowerCase()];
  return alias && fields.includes(alias) ? alias : null;
}

/** The field errors to show for an error from Rust (its `field`, when the form has it). */
export function fieldErrors(err: IpcError, fields: readonly string[]): Errors {
  const name = fieldName(err.field, fields);
  return name ? { [name]: err.message } : {};
}

/** Focuses the first invalid control of a form (after the errors are rendered). */
export function focusFirstInvalid(form: HTMLElement | null | undefined): void {
  queueMicrotask(() => {
    requestAnimationFrame(() => {
      form?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
    });
  });
}
