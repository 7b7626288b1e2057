// The registry on the member card: the correction form (its fields as the card holds them,
// what changed, old → new, for the confirmation), the departure / transfer form, and where a
// refusal from Rust goes (next to the field that caused it, or on the form).
//
// Whether a member may be corrected, may leave, may be reinstated or may get a new contract
// is Rust's (MemberCard's flags); what changed is worked out here from the values as Rust
// will store them (the same normalisation as validate.ts: +223 phones, upper-case numbers).

import { translate, type MsgKey } from './i18n';
import { fieldName } from './forms';
import {
  checkBirthYear,
  checkChoice,
  checkCode,
  checkDate,
  checkName,
  checkNina,
  checkPhone,
  LIMITS,
  validateReason,
  type Checked,
  type Errors,
} from './validate';
import type { IpcError, Lang, MemberCard } from './types';
import type {
  CorrectMemberRequest,
  MemberDepartedRequest,
  TransferMemberRequest,
} from '../bindings';

/** The fields a correction may change, in the form's order. */
export const CORRECT_FIELDS = [
  'number',
  'full_name',
  'sex',
  'birth_year',
  'village',
  'phone',
  'nina',
  'crops',
] as const;
export type CorrectField = (typeof CORRECT_FIELDS)[number];

export interface CorrectForm {
  number: string;
  full_name: string;
  sex: string;
  birth_year: string;
  village: string;
  phone: string;
  nina: string;
  crops: string[];
}

/** A field's change, as the confirmation shows it. */
export interface FieldChange {
  field: CorrectField;
  label: string;
  old: string;
  new: string;
}

/** The correction form, filled with the member's card as it is. */
export function correctForm(card: MemberCard): CorrectForm {
  return {
    number: card.member.number,
    full_name: card.member.full_name,
    sex: card.sex.toUpperCase(),
    birth_year: card.birth_year === null ? '' : String(card.birth_year),
    village: card.member.village,
    phone: card.member.phone ?? '',
    nina: card.nina ?? '',
    crops: [...card.crops],
  };
}

const LABELS: Record<CorrectField, MsgKey> = {
  number: 'fix.number',
  full_name: 'fix.full_name',
  sex: 'fix.sex',
  birth_year: 'fix.birth_year',
  village: 'fix.village',
  phone: 'fix.phone',
  nina: 'fix.nina',
  crops: 'fix.crops',
};

/** A field's name for people (« téléphone », "phone"). */
export function fieldLabel(field: CorrectField, lang: Lang): string {
  return translate(lang, LABELS[field]);
}

/** The member's values as stored (the form's, normalised), or the errors by field. */
function normalised(
  f: CorrectForm,
  lang: Lang,
  thisYear: number,
): Checked<Record<CorrectField, string | null>> {
  const errors: Errors = {};
  const out: Partial<Record<CorrectField, string | null>> = {};
  const take = (field: CorrectField, r: { value?: unknown; error?: string }) => {
    if (r.error !== undefined) errors[field] = r.error;
    else out[field] = r.value === null || r.value === undefined ? null : String(r.value);
  };
  take('number', checkCode(f.number, lang, LIMITS.MEMBER_NUMBER_MAX));
  take('full_name', checkName(f.full_name, lang));
  take('sex', f.sex === 'F' || f.sex === 'M' ? { value: f.sex } : { error: translate(lang, 'v.choose') });
  take('birth_year', checkBirthYear(f.birth_year, lang, thisYear));
  take('village', checkName(f.village, lang));
  take('phone', checkPhone(f.phone, lang));
  take('nina', checkNina(f.nina, lang));
  out.crops = [...new Set(f.crops)].sort().join(',');
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: out as Record<CorrectField, string | null> };
}

/** A stored value as the confirmation shows it. */
function shown(
  field: CorrectField,
  v: string | null,
  lang: Lang,
  cropLabel: (code: string) => string,
): string {
  if (v === null || v === '') return '—';
  if (field === 'sex') return translate(lang, v === 'F' ? 'sex.F' : 'sex.M');
  if (field === 'crops') return v.split(',').map(cropLabel).join(', ');
  return v;
}

export interface Correction {
  /** The request without its reason (the confirmation asks for it). */
  req: Omit<CorrectMemberRequest, 'reason'>;
  changes: FieldChange[];
}

/**
 * The correction of `card` the form asks for: only the fields that change (the request names
 * no other), each change old → new; errors by field, or `form` when nothing changes.
 */
export function validateCorrection(
  f: CorrectForm,
  card: MemberCard,
  lang: Lang,
  thisYear: number,
  cropLabel: (code: string) => string = (c) => c,
): Checked<Correction> {
  const r = normalised(f, lang, thisYear);
  if (!r.ok) return r;
  // the card as stored (its values already passed these checks when they were written)
  const before: Record<CorrectField, string | null> = {
    number: card.member.number,
    full_name: card.member.full_name,
    sex: card.sex.toUpperCase(),
    birth_year: card.birth_year === null ? null : String(card.birth_year),
    village: card.member.village,
    phone: card.member.phone,
    nina: card.nina,
    crops: [...new Set(card.crops)].sort().join(','),
  };
  const req: Omit<CorrectMemberRequest, 'reason'> = { member_id: card.member.id };
  const changes: FieldChange[] = [];
  for (const field of CORRECT_FIELDS) {
    const now = r.value[field];
    const was = before[field];
    if ((now ?? '') === (was ?? '')) continue;
    changes.push({
      field,
      label: fieldLabel(field, lang),
      old: shown(field, was, lang, cropLabel),
      new: shown(field, now, lang, cropLabel),
    });
    if (field === 'crops') req.crops = now ? now.split(',') : [];
    else if (field === 'sex') req.sex = (now ?? '').toLowerCase();
    else req[field] = now ?? '';
  }
  if (changes.length === 0) return { ok: false, errors: { form: translate(lang, 'fix.nothing') } };
  return { ok: true, value: { req, changes } };
}

/** Where a refusal of `correct_member` goes: a field of the form, the reason, or the form. */
export function correctionErrorPlace(err: IpcError): CorrectField | 'reason' | 'form' {
  if (err.code === 'duplicate_member_number') return 'number';
  const name = fieldName(err.field, [...CORRECT_FIELDS, 'reason']);
  return (name as CorrectField | 'reason' | null) ?? 'form';
}

// --- departure and transfer --------------------------------------------------

/** What the departure form records: a departure, or (the secretariat) a transfer. */
export type DepartKind = 'left' | 'deceased' | 'excluded' | 'transfer';
export const DEPART_KINDS: readonly DepartKind[] = ['left', 'deceased', 'excluded', 'transfer'];

export interface DepartForm {
  kind: string;
  on: string;
  reason: string;
  to_cooperative_id: string;
  new_number: string;
}

export type Departure =
  | { kind: 'depart'; req: MemberDepartedRequest }
  | { kind: 'transfer'; req: TransferMemberRequest };

/** The departure or transfer the form asks for, or the errors by field. */
export function validateDeparture(f: DepartForm, memberId: string, lang: Lang): Checked<Departure> {
  const errors: Errors = {};
  const kind = checkChoice(f.kind, lang);
  if (kind.error !== undefined) errors.kind = kind.error;
  const on = checkDate(f.on, lang, { required: true });
  if (on.error !== undefined) errors.on = on.error;
  const reason = validateReason(f.reason, lang);
  if (!reason.ok) Object.assign(errors, reason.errors);
  const transfer = f.kind === 'transfer';
  let coop: string | undefined;
  let number: string | undefined;
  if (transfer) {
    const c = checkChoice(f.to_cooperative_id, lang);
    if (c.error !== undefined) errors.to_cooperative_id = c.error;
    else coop = c.value;
    const n = checkCode(f.new_number, lang, LIMITS.MEMBER_NUMBER_MAX);
    if (n.error !== undefined) errors.new_number = n.error;
    else number = n.value;
  }
  if (Object.keys(errors).length > 0 || !reason.ok || on.value === undefined) {
    return { ok: false, errors };
  }
  if (transfer) {
    return {
      ok: true,
      value: {
        kind: 'transfer',
        req: {
          member_id: memberId,
          to_cooperative_id: coop ?? '',
          new_number: number ?? '',
          on: on.value,
          reason: reason.value.reason,
        },
      },
    };
  }
  return {
    ok: true,
    value: {
      kind: 'depart',
      req: { member_id: memberId, status: f.kind, on: on.value, reason: reason.value.reason },
    },
  };
}

/** Where a refusal of a departure or transfer goes: a field of the form, or the form. */
export function departureErrorPlace(err: IpcError): keyof DepartForm | 'form' {
  if (err.code === 'duplicate_member_number') return 'new_number';
  if (fieldName(err.field, ['number'])) return 'new_number';
  const name = fieldName(err.field, ['on', 'reason', 'to_cooperative_id', 'new_number', 'status']);
  if (name === 'status') return 'kind';
  return (name as keyof DepartForm | null) ?? 'form';
}
