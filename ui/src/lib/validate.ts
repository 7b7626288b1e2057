// Validation of what people type, before anything is sent to Rust.
//
// These checks mirror the Rust ones (crates/domain/src/validate.rs,
// quantity.rs) so that a typing mistake is caught next to the field, in the
// user's language, without a round trip. Rust still checks everything again
// and its message wins when it refuses.
//
// Each form has a validator returning `{ ok: true, value: <request> }` or
// `{ ok: false, errors: { <field>: <message> } }`; field names are the
// request's snake_case names, so a `field` sent back by Rust lands on the
// same input.

import { translate, type MsgKey, type Params } from './i18n';
import { parseDate } from './dates';
import { formatKg, formatMoney } from './format';
import type {
  ContractRequest,
  DeliveryRequest,
  DisburseRequest,
  DistributeRequest,
  EnrollRequest,
  InitRequest,
  Lang,
  NeedRequest,
  NewMember,
  PaymentMode,
} from './types';
import type {
  AddAccountRequest,
  CreateVaultRequest,
  IdleLockRequest,
  RecoverRequest,
  SignInRequest,
  CampaignDateRequest,
  LockRequest,
  PairRequest,
  ResolveAnomalyRequest,
  ResolveConflictRequest,
} from '../bindings';
import { RUST_LIMITS } from '../bindings/limits';

/**
 * Bounds: those the ledger checks come from the Rust constants (RUST_LIMITS, generated);
 * the last four are the window's own typing aids, which Rust does not check.
 */
export const LIMITS = {
  ...RUST_LIMITS,
  NAME_MIN: 2,
  REASON_MIN: 3,
  PATH_MAX: 1_000,
  /** Letters and digits of a recovery key (14 groups of 4). */
  RECOVERY_KEY_CHARS: 56,
} as const;

export type Errors = Record<string, string>;
export type Checked<T> = { ok: true; value: T } | { ok: false; errors: Errors };
type One<T> = { value: T; error?: undefined } | { value?: undefined; error: string };

const msg = (lang: Lang, key: MsgKey, params?: Params) => translate(lang, key, params);

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Removes group separators and unit suffixes, turns a decimal comma into a dot. */
export function cleanNumber(input: string, suffixes: string[] = []): string {
  let s = input.trim();
  for (const suffix of suffixes) {
    if (s.toLowerCase().endsWith(suffix.toLowerCase())) {
      s = s.slice(0, s.length - suffix.length).trimEnd();
      break;
    }
  }
  return s.replace(/[ \u00a0\u202f_]/g, '').replace(',', '.');
}

// --- single fields ----------------------------------------------------------

export function checkText(
  input: string,
  lang: Lang,
  opts: { required?: boolean; min?: number; max?: number } = {},
): One<string> {
  const { required = true, min = 1, max = LIMITS.TEXT_MAX } = opts;
  const t = (input ?? '').trim();
  if (t === '') return required ? { error: msg(lang, 'v.required') } : { value: '' };
  if (CONTROL.test(t)) return { error: msg(lang, 'v.control') };
  if ([...t].length < min) return { error: msg(lang, 'v.tooShort', { min }) };
  if ([...t].length > max) return { error: msg(lang, 'v.tooLong', { max }) };
  return { value: t };
}

/** A person's or place's name: 2 to 120 characters. */
export function checkName(input: string, lang: Lang): One<string> {
  return checkText(input, lang, { min: LIMITS.NAME_MIN, max: LIMITS.TEXT_MAX });
}

/** A code (member number, receipt prefix): capitals, digits, dashes; lower case is raised. */
export function checkCode(input: string, lang: Lang, max: number): One<string> {
  const t = (input ?? '').trim().toUpperCase();
  if (t === '') return { error: msg(lang, 'v.required') };
  if (t.length > max || !/^[A-Z0-9][A-Z0-9-]*$/.test(t)) {
    return { error: msg(lang, 'v.code', { max }) };
  }
  return { value: t };
}

/**
 * A whole number of francs. Accepts "200000", "200 000", "200 000 FCFA".
 * Returns the normalized string ("200000").
 */
export function checkMoney(
  input: string,
  lang: Lang,
  opts: { allowZero?: boolean; max?: number; required?: boolean } = {},
): One<string> {
  const { allowZero = false, max = LIMITS.MEMBER_MONEY_MAX, required = true } = opts;
  const raw = (input ?? '').trim();
  if (raw === '') {
    return required ? { error: msg(lang, 'v.required') } : { value: '0' };
  }
  const s = cleanNumber(raw, ['FCFA', 'F']);
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(s)) {
    return { error: msg(lang, 'v.notNumber', { example: '200000' }) };
  }
  const neg = s.startsWith('-');
  const body = s.replace(/^[+-]/, '');
  const [intPart, frac = ''] = body.split('.');
  if (/[1-9]/.test(frac)) return { error: msg(lang, 'v.moneyWhole') };
  const digits = (intPart || '0').replace(/^0+(?=\d)/, '');
  if (neg && digits !== '0') return { error: msg(lang, 'v.moneyNegative') };
  if (digits === '0' && !allowZero) return { error: msg(lang, 'v.moneyPositive') };
  if (BigInt(digits) > BigInt(max)) {
    return { error: msg(lang, 'v.moneyMax', { max: formatMoney(String(max)) }) };
  }
  return { value: digits };
}

/** A decimal with at most one decimal digit, as a normalized string ("1234.5"). */
function checkOneDecimal(
  input: string,
  lang: Lang,
  suffixes: string[],
  decimalsKey: MsgKey,
  example: string,
): One<{ tenths: bigint; text: string; negative: boolean }> {
  const raw = (input ?? '').trim();
  if (raw === '') return { error: msg(lang, 'v.required') };
  const s = cleanNumber(raw, suffixes);
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(s)) {
    return { error: msg(lang, 'v.notNumber', { example }) };
  }
  const negative = s.startsWith('-');
  const body = s.replace(/^[+-]/, '');
  const [intPart, fracRaw = ''] = body.split('.');
  const frac = fracRaw.replace(/0+$/, '');
  if (frac.length > 1) return { error: msg(lang, decimalsKey) };
  const intDigits = (intPart || '0').replace(/^0+(?=\d)/, '');
  const tenths = BigInt(intDigits) * 10n + BigInt(frac || '0');
  const text = frac ? `${intDigits}.${frac}` : intDigits;
  return { value: { tenths, text, negative: negative && tenths !== 0n } };
}

/** A weight in kg, above zero, at most one decimal, at most `max` kg. */
export function checkKg(input: string, lang: Lang, max: number): One<string> {
  const r = checkOneDecimal(input, lang, ['kg'], 'v.kgDecimals', '1234,5');
  if (r.error !== undefined) return { error: r.error };
  const { tenths, text, negative } = r.value;
  if (negative || tenths === 0n) return { error: msg(lang, 'v.kgPositive') };
  if (tenths > BigInt(max) * 10n) {
    return { error: msg(lang, 'v.kgMax', { max: formatKg(String(max)) }) };
  }
  return { value: text };
}

/** A percentage in points, 0 to 100, at most one decimal. */
export function checkPercent(input: string, lang: Lang): One<string> {
  const r = checkOneDecimal(input, lang, ['%'], 'v.percentDecimals', '14,5');
  if (r.error !== undefined) return { error: r.error };
  const { tenths, text, negative } = r.value;
  if (negative || tenths > 1000n) return { error: msg(lang, 'v.percentRange') };
  return { value: text };
}

/** A whole count of bags, 1 to 2 000 (requests carry it as a string: "12"). */
export function checkBags(input: string, lang: Lang): One<string> {
  const s = cleanNumber(input ?? '');
  if (s === '') return { error: msg(lang, 'v.required') };
  if (!/^[+-]?\d+(\.0*)?$/.test(s)) {
    if (/^[+-]?\d*\.\d+$/.test(s)) return { error: msg(lang, 'v.bagsWhole') };
    return { error: msg(lang, 'v.notNumber', { example: '12' }) };
  }
  const n = Number.parseInt(s, 10);
  if (n < 1 || n > LIMITS.BAGS_MAX) {
    return { error: msg(lang, 'v.bagsRange', { min: 1, max: LIMITS.BAGS_MAX }) };
  }
  return { value: String(n) };
}

/** A Malian phone: 8 digits, optionally after +223 or 00223. Returns "+223XXXXXXXX". */
export function checkPhone(input: string, lang: Lang): One<string | null> {
  const t = (input ?? '').trim();
  if (t === '') return { value: null };
  const digits = t.replace(/[ .\-\u00a0]/g, '');
  const rest = digits.startsWith('+223')
    ? digits.slice(4)
    : digits.startsWith('00223')
      ? digits.slice(5)
      : digits;
  if (!/^\d{8}$/.test(rest)) return { error: msg(lang, 'v.phone') };
  return { value: `+223${rest}` };
}

/** A national id (NINA): 8 to 20 letters or digits, optional. */
export function checkNina(input: string, lang: Lang): One<string | null> {
  const t = (input ?? '').replace(/ /g, '').trim().toUpperCase();
  if (t === '') return { value: null };
  if (!/^[A-Z0-9]{8,20}$/.test(t)) return { error: msg(lang, 'v.nina') };
  return { value: t };
}

/** A year of birth, optional, between this year − 110 and this year − 12. */
export function checkBirthYear(input: string, lang: Lang, thisYear: number): One<number | null> {
  const t = (input ?? '').trim();
  if (t === '') return { value: null };
  if (!/^\d{4}$/.test(t)) return { error: msg(lang, 'v.yearWhole') };
  const y = Number(t);
  const min = thisYear - 110;
  const max = thisYear - 12;
  if (y < min || y > max) return { error: msg(lang, 'v.year', { min, max }) };
  return { value: y };
}

export function checkUrl(input: string, lang: Lang): One<string> {
  const t = (input ?? '').trim();
  if (t === '') return { error: msg(lang, 'v.required') };
  if (!/^https?:\/\/[^\s/]+/i.test(t) || CONTROL.test(t)) return { error: msg(lang, 'v.url') };
  return { value: t };
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An id given by the union office (a UUID, as `sene device add` prints it). */
export function checkUuid(input: string, lang: Lang): One<string> {
  const t = (input ?? '').trim();
  if (t === '') return { error: msg(lang, 'v.required') };
  if (!UUID_RE.test(t)) return { error: msg(lang, 'v.uuid') };
  return { value: t.toLowerCase() };
}

export function checkChoice(input: string | null | undefined, lang: Lang): One<string> {
  const t = (input ?? '').trim();
  if (t === '') return { error: msg(lang, 'v.choose') };
  return { value: t };
}

// --- forms -----------------------------------------------------------------

/** Runs field checks; collects the values or the errors by field. */
function collect<T>(checks: Record<string, One<unknown>>, build: (v: Record<string, any>) => T): Checked<T> {
  const errors: Errors = {};
  const values: Record<string, unknown> = {};
  for (const [field, r] of Object.entries(checks)) {
    if (r.error !== undefined) errors[field] = r.error;
    else values[field] = r.value;
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: build(values) };
}

export interface InitForm {
  union_name: string;
  region: string;
  agent_name: string;
  device_label: string;
  receipt_prefix: string;
}

export function validateInit(f: InitForm, lang: Lang): Checked<InitRequest> {
  return collect(
    {
      union_name: checkName(f.union_name, lang),
      region: checkName(f.region, lang),
      agent_name: checkName(f.agent_name, lang),
      device_label: checkText(f.device_label, lang),
      receipt_prefix: checkCode(f.receipt_prefix, lang, LIMITS.RECEIPT_PREFIX_MAX),
    },
    (v) => v as InitRequest,
  );
}

/** A counted stock or a lot: at most the largest lot (RUST_LIMITS.LOT_KG_MAX). */
const COUNT_KG_MAX = RUST_LIMITS.LOT_KG_MAX;

export interface StockCountForm {
  warehouse_id: string;
  date: string;
  kg: string;
  note: string;
}

/** A physical count of a warehouse: an empty warehouse counts 0 kg. */
export function validateStockCount(
  f: StockCountForm,
  lang: Lang,
): Checked<{ warehouse_id: string; date: string; kg: string; note: string }> {
  const zero = /^\s*0+(?:[.,]0*)?\s*(?:kg)?\s*$/i.test(f.kg ?? '');
  return collect(
    {
      warehouse_id: checkChoice(f.warehouse_id, lang),
      date: checkDate(f.date, lang),
      kg: zero ? { value: '0' } : checkKg(f.kg, lang, COUNT_KG_MAX),
      note: checkText(f.note, lang, { required: false, max: LIMITS.NOTE_MAX }),
    },
    (v) => ({ warehouse_id: v.warehouse_id, date: v.date, kg: v.kg, note: v.note }),
  );
}

export interface CashReturnForm {
  agent_id: string;
  date: string;
  amount: string;
  note: string;
}

/** Cash an agent hands back to the office. */
export function validateCashReturn(
  f: CashReturnForm,
  lang: Lang,
): Checked<{ agent_id: string; date: string; amount: string; note: string }> {
  return collect(
    {
      agent_id: checkChoice(f.agent_id, lang),
      date: checkDate(f.date, lang),
      amount: checkMoney(f.amount, lang),
      note: checkText(f.note, lang, { required: false, max: LIMITS.NOTE_MAX }),
    },
    (v) => ({ agent_id: v.agent_id, date: v.date, amount: v.amount, note: v.note }),
  );
}

/** Money drawn today on a credit line. */
export function validateDraw(
  f: { credit_line_id: string; amount: string },
  lang: Lang,
): Checked<{ credit_line_id: string; amount: string }> {
  return collect(
    { credit_line_id: checkChoice(f.credit_line_id, lang), amount: checkMoney(f.amount, lang) },
    (v) => ({ credit_line_id: v.credit_line_id, amount: v.amount }),
  );
}

/** A repayment today: principal and interest, at least one of them above zero. */
export function validateRepay(
  f: { credit_line_id: string; principal: string; interest: string },
  lang: Lang,
): Checked<{ credit_line_id: string; principal: string; interest: string }> {
  const principal = checkMoney(f.principal, lang, { allowZero: true });
  const interest = checkMoney(f.interest, lang, { allowZero: true });
  const nothing = principal.value === '0' && interest.value === '0';
  return collect(
    {
      credit_line_id: checkChoice(f.credit_line_id, lang),
      principal: nothing ? { error: msg(lang, 'v.moneyPositive') } : principal,
      interest,
    },
    (v) => ({ credit_line_id: v.credit_line_id, principal: v.principal, interest: v.interest }),
  );
}

export interface SaleLotForm {
  crop: string;
  buyer: string;
  warehouse_id: string;
  kg: string;
  price_per_kg: string;
  costs: string;
}

/** A lot sold today from one warehouse (Rust checks the warehouse's stock). */
export function validateSaleLot(f: SaleLotForm, lang: Lang): Checked<SaleLotForm> {
  return collect(
    {
      crop: checkChoice(f.crop, lang),
      buyer: checkText(f.buyer, lang),
      warehouse_id: checkChoice(f.warehouse_id, lang),
      kg: checkKg(f.kg, lang, COUNT_KG_MAX),
      price_per_kg: checkMoney(f.price_per_kg, lang),
      costs: checkMoney(f.costs, lang, { allowZero: true }),
    },
    (v) => v as SaleLotForm,
  );
}

/** A price complement per kg for a crop: whole francs, zero takes it back (Rust checks the
 * lots' surplus). */
export function validateComplement(
  f: { crop: string; per_kg: string },
  lang: Lang,
): Checked<{ crop: string; per_kg: string }> {
  return collect(
    {
      crop: checkChoice(f.crop, lang),
      per_kg: checkMoney(f.per_kg, lang, { allowZero: true, max: LIMITS.PRICE_PER_KG_MAX }),
    },
    (v) => ({ crop: v.crop, per_kg: v.per_kg }),
  );
}

/** A new laptop for an agent (the office pairs it with its hub). */
/** A laptop for an agent, or (`federation`) the federation of unions: no agent then (the
 *  office makes its read-only one). */
export function validatePair(f: PairRequest, lang: Lang): Checked<PairRequest> {
  const federation = f.federation === true;
  return collect(
    {
      agent_id: federation ? { value: '' } : checkChoice(f.agent_id, lang),
      device_label: checkText(f.device_label, lang),
      receipt_prefix: checkCode(f.receipt_prefix, lang, LIMITS.RECEIPT_PREFIX_MAX),
    },
    (v) => ({ ...v, federation }) as PairRequest,
  );
}

export interface EnrollForm {
  hub_url: string;
  device_id: string;
  code: string;
}

export function validateEnroll(f: EnrollForm, lang: Lang): Checked<EnrollRequest> {
  return collect(
    {
      hub_url: checkUrl(f.hub_url, lang),
      device_id: checkUuid(f.device_id, lang),
      code: checkText(f.code, lang, { max: 64 }),
    },
    (v) => v as EnrollRequest,
  );
}

export interface RegisterForm {
  cooperative_id: string;
  number: string;
  full_name: string;
  sex: string;
  birth_year: string;
  village: string;
  phone: string;
  nina: string;
  crops: string[];
}

export function validateRegister(
  f: RegisterForm,
  lang: Lang,
  thisYear: number,
): Checked<NewMember> {
  const sex: One<'F' | 'M'> =
    f.sex === 'F' || f.sex === 'M' ? { value: f.sex } : { error: msg(lang, 'v.choose') };
  return collect(
    {
      cooperative_id: checkChoice(f.cooperative_id, lang),
      number: checkCode(f.number, lang, LIMITS.MEMBER_NUMBER_MAX),
      full_name: checkName(f.full_name, lang),
      sex,
      birth_year: checkBirthYear(f.birth_year, lang, thisYear),
      village: checkName(f.village, lang),
      phone: checkPhone(f.phone, lang),
      nina: checkNina(f.nina, lang),
    },
    (v) => ({ ...(v as Omit<NewMember, 'crops'>), crops: [...f.crops] }),
  );
}

export interface ContractForm {
  campaign_id: string;
  crop: string;
  committed_kg: string;
}

export function validateContract(
  f: ContractForm,
  memberId: string,
  lang: Lang,
): Checked<ContractRequest> {
  return collect(
    {
      campaign_id: checkChoice(f.campaign_id, lang),
      crop: checkChoice(f.crop, lang),
      committed_kg: checkKg(f.committed_kg, lang, LIMITS.COMMITTED_KG_MAX),
    },
    (v) => ({ member_id: memberId, ...(v as Omit<ContractRequest, 'member_id'>) }),
  );
}

export interface DisburseForm {
  amount: string;
  mode: string;
}

const MODES: PaymentMode[] = ['cash', 'mobile_money', 'bank'];

export function validateDisburse(
  f: DisburseForm,
  contractId: string,
  lang: Lang,
): Checked<DisburseRequest> {
  const mode: One<PaymentMode> = MODES.includes(f.mode as PaymentMode)
    ? { value: f.mode as PaymentMode }
    : { error: msg(lang, 'v.choose') };
  return collect(
    { amount: checkMoney(f.amount, lang), mode },
    (v) => ({ contract_id: contractId, amount: v.amount, mode: v.mode }),
  );
}

/** A member's balance paid after the settlement (Rust checks it against what remains). */
export function validateBalancePayment(
  f: DisburseForm,
  lang: Lang,
): Checked<{ amount: string; mode: PaymentMode }> {
  const mode: One<PaymentMode> = MODES.includes(f.mode as PaymentMode)
    ? { value: f.mode as PaymentMode }
    : { error: msg(lang, 'v.choose') };
  return collect({ amount: checkMoney(f.amount, lang), mode }, (v) => ({
    amount: v.amount,
    mode: v.mode,
  }));
}

export interface DeliveryForm {
  warehouse_id: string;
  bags: string;
  gross_kg: string;
  moisture: string;
  impurity: string;
}

function deliveryChecks(f: DeliveryForm, lang: Lang) {
  return {
    bags: checkBags(f.bags, lang),
    gross_kg: checkKg(f.gross_kg, lang, LIMITS.DELIVERY_KG_MAX),
    moisture: checkPercent(f.moisture, lang),
    impurity: checkPercent(f.impurity, lang),
  };
}

export function validateDelivery(
  f: DeliveryForm,
  contractId: string,
  lang: Lang,
): Checked<DeliveryRequest> {
  return collect(
    { warehouse_id: checkChoice(f.warehouse_id, lang), ...deliveryChecks(f, lang) },
    (v) => ({ contract_id: contractId, ...(v as Omit<DeliveryRequest, 'contract_id'>) }),
  );
}

/**
 * The preview request when the weighing fields are valid, else null. The warehouse
 * is not needed for a preview (Rust ignores it then): it is passed as typed.
 */
export function previewRequest(
  f: DeliveryForm,
  contractId: string,
  lang: Lang,
): DeliveryRequest | null {
  const r = collect(deliveryChecks(f, lang), (v) => ({
    contract_id: contractId,
    warehouse_id: f.warehouse_id,
    ...(v as Omit<DeliveryRequest, 'contract_id' | 'warehouse_id'>),
  }));
  return r.ok ? r.value : null;
}

export interface FertilizerForm {
  campaign_id: string;
  product_id: string;
  bags: string;
  cash_paid: string;
}

export function validateNeed(
  f: FertilizerForm,
  memberId: string,
  lang: Lang,
): Checked<NeedRequest> {
  return collect(
    {
      campaign_id: checkChoice(f.campaign_id, lang),
      product_id: checkChoice(f.product_id, lang),
      bags: checkBags(f.bags, lang),
    },
    (v) => ({ member_id: memberId, ...(v as Omit<NeedRequest, 'member_id'>) }),
  );
}

export function validateDistribution(
  f: FertilizerForm,
  memberId: string,
  lang: Lang,
): Checked<DistributeRequest> {
  return collect(
    {
      campaign_id: checkChoice(f.campaign_id, lang),
      product_id: checkChoice(f.product_id, lang),
      bags: checkBags(f.bags, lang),
      cash_paid: checkMoney(f.cash_paid, lang, { allowZero: true, required: false }),
    },
    (v) => ({ member_id: memberId, ...(v as Omit<DistributeRequest, 'member_id'>) }),
  );
}

/** The reason of a reversal or a rejection: required, 3 to 500 characters. */
export function validateReason(reason: string, lang: Lang): Checked<{ reason: string }> {
  return collect(
    { reason: checkText(reason, lang, { min: LIMITS.REASON_MIN, max: LIMITS.NOTE_MAX }) },
    (v) => ({ reason: v.reason }),
  );
}

/** A file path for the USB export/import. */
export function validatePath(path: string, lang: Lang): Checked<{ path: string }> {
  const t = (path ?? '').trim();
  const r: One<string> =
    t === ''
      ? { error: msg(lang, 'v.path') }
      : CONTROL.test(t)
        ? { error: msg(lang, 'v.control') }
        : t.length > LIMITS.PATH_MAX
          ? { error: msg(lang, 'v.tooLong', { max: LIMITS.PATH_MAX }) }
          : { value: t };
  return collect({ path: r }, (v) => ({ path: v.path }));
}

/** Cooperative + campaign (collection sheet). */
export function validateSheet(
  f: { cooperative_id: string; campaign_id: string },
  lang: Lang,
): Checked<{ cooperative_id: string; campaign_id: string }> {
  return collect(
    {
      cooperative_id: checkChoice(f.cooperative_id, lang),
      campaign_id: checkChoice(f.campaign_id, lang),
    },
    (v) => ({ cooperative_id: v.cooperative_id, campaign_id: v.campaign_id }),
  );
}

// --- office (secretariat) ----------------------------------------------------

/** The written reason of an office decision (resolution, settlement lock): required, 3 to 500 characters. */
export function checkNote(input: string, lang: Lang): One<string> {
  if ((input ?? '').trim() === '') return { error: msg(lang, 'v.noteRequired') };
  return checkText(input, lang, { min: LIMITS.REASON_MIN, max: LIMITS.NOTE_MAX });
}

/**
 * A calendar date as a date field hands it: ISO `YYYY-MM-DD`, or the text typed dd/mm/yyyy when
 * it is no date (see `dates.ts`); "" allowed when optional (= today). The value is ISO; the
 * error says what is wrong (no such month, no such day in that month, not a date).
 */
export function checkDate(input: string, lang: Lang, opts: { required?: boolean } = {}): One<string> {
  const t = (input ?? '').trim();
  if (t === '') return opts.required ? { error: msg(lang, 'v.required') } : { value: '' };
  const p = parseDate(t);
  if ('iso' in p) return { value: p.iso };
  const q = p.problem;
  switch (q.kind) {
    case 'month':
      return { error: msg(lang, 'v.dateMonth', { month: q.month }) };
    case 'day':
      return { error: msg(lang, 'v.dateDay', { date: q.date, days: q.days }) };
    case 'year':
      return { error: msg(lang, 'v.dateYear', { year: q.year }) };
    default:
      return { error: msg(lang, 'v.date') };
  }
}

/** Resolving an anomaly other than a sync conflict: the note is required. */
export function validateAnomalyResolution(
  f: { note: string },
  campaignId: string,
  key: string,
  lang: Lang,
): Checked<ResolveAnomalyRequest> {
  return collect({ note: checkNote(f.note, lang) }, (v) => ({
    campaign_id: campaignId,
    key,
    note: v.note,
  }));
}

/**
 * Resolving a sync conflict: `choice` is the radio's value — an index into the values, or ""
 * for "keep the records as they are" (sent as null); null/undefined means nothing was chosen.
 */
export function validateConflictResolution(
  f: { choice: string | null | undefined; reason: string },
  conflictId: string,
  valueCount: number,
  lang: Lang,
): Checked<ResolveConflictRequest> {
  let choice: One<number | null>;
  if (f.choice === null || f.choice === undefined) choice = { error: msg(lang, 'v.choose') };
  else if (f.choice === '') choice = { value: null };
  else {
    const n = /^\d+$/.test(f.choice) ? Number(f.choice) : -1;
    choice = n >= 0 && n < valueCount ? { value: n } : { error: msg(lang, 'v.choose') };
  }
  return collect({ choice, reason: checkNote(f.reason, lang) }, (v) => ({
    conflict_id: conflictId,
    choice: v.choice as number | null,
    reason: v.reason,
  }));
}

/** Locking a settlement: date (required), note (required), the run it replaces (optional, "" = none). */
export function validateLock(
  f: { date: string; note: string; replaces: string },
  campaignId: string,
  lang: Lang,
): Checked<LockRequest> {
  return collect(
    {
      campaign_id: checkChoice(campaignId, lang),
      date: checkDate(f.date, lang, { required: true }),
      note: checkNote(f.note, lang),
    },
    (v) => ({
      campaign_id: v.campaign_id,
      date: v.date,
      replaces: f.replaces.trim() === '' ? null : f.replaces.trim(),
      note: v.note,
    }),
  );
}

/** Campaign + date of the dashboard and the settlement preview ("" date = today). */
export function validateCampaignDate(
  f: { campaign_id: string; date: string },
  lang: Lang,
): Checked<CampaignDateRequest> {
  return collect(
    { campaign_id: checkChoice(f.campaign_id, lang), date: checkDate(f.date, lang) },
    (v) => ({ campaign_id: v.campaign_id, date: v.date }),
  );
}

// --- the gate and the device's accounts ---------------------------------------

/**
 * A passphrase: only required here. Its rule (8 characters, 5 different, a PIN of 12 digits, not
 * a common word) is Rust's, whose message lands on the field. Sent as typed, never trimmed.
 */
export function checkPassphrase(input: string, lang: Lang): One<string> {
  const p = input ?? '';
  if (p.trim() === '') return { error: msg(lang, 'v.required') };
  return { value: p };
}

/** The passphrase typed again. */
export function checkConfirm(passphrase: string, confirm: string, lang: Lang): One<string> {
  const c = confirm ?? '';
  if (c === '') return { error: msg(lang, 'v.required') };
  if (c !== (passphrase ?? '')) return { error: msg(lang, 'v.confirmDiffers') };
  return { value: c };
}

/** A recovery key as written on paper: 56 letters and digits; dashes, spaces and case free. */
export function checkRecoveryKey(input: string, lang: Lang): One<string> {
  const t = (input ?? '').trim();
  if (t === '') return { error: msg(lang, 'v.required') };
  const chars = t.replace(/[\s-]/g, '');
  if (chars.length !== LIMITS.RECOVERY_KEY_CHARS || !/^[0-9A-Za-z]+$/.test(chars)) {
    return { error: msg(lang, 'v.recoveryKey', { n: LIMITS.RECOVERY_KEY_CHARS }) };
  }
  return { value: t };
}

export interface VaultForm {
  label: string;
  passphrase: string;
  confirm: string;
}

/** The first account (state `new`), or the one that encrypts an old store (state `plain`). */
export function validateCreateVault(f: VaultForm, lang: Lang): Checked<CreateVaultRequest> {
  return collect(
    {
      label: checkText(f.label, lang),
      passphrase: checkPassphrase(f.passphrase, lang),
      confirm: checkConfirm(f.passphrase, f.confirm, lang),
    },
    (v) => v as CreateVaultRequest,
  );
}

export function validateSignIn(f: SignInRequest, lang: Lang): Checked<SignInRequest> {
  return collect(
    { account: checkChoice(f.account, lang), passphrase: checkPassphrase(f.passphrase, lang) },
    (v) => v as SignInRequest,
  );
}

export function validateRecover(f: RecoverRequest, lang: Lang): Checked<RecoverRequest> {
  return collect(
    {
      recovery_key: checkRecoveryKey(f.recovery_key, lang),
      label: checkText(f.label, lang),
      passphrase: checkPassphrase(f.passphrase, lang),
      confirm: checkConfirm(f.passphrase, f.confirm, lang),
    },
    (v) => v as RecoverRequest,
  );
}

export function validateAddAccount(f: AddAccountRequest, lang: Lang): Checked<AddAccountRequest> {
  return collect(
    {
      agent_id: checkChoice(f.agent_id, lang),
      passphrase: checkPassphrase(f.passphrase, lang),
      confirm: checkConfirm(f.passphrase, f.confirm, lang),
    },
    (v) => v as AddAccountRequest,
  );
}

/** Minutes before the idle lock: a whole number, 0 (never) to 240. */
export function validateIdleLock(input: string, lang: Lang): Checked<IdleLockRequest> {
  const s = cleanNumber(String(input ?? ''), ['min', 'minutes']);
  const r: One<number> =
    s === ''
      ? { error: msg(lang, 'v.required') }
      : /^\d+$/.test(s) && Number(s) <= LIMITS.IDLE_LOCK_MAX
        ? { value: Number(s) }
        : { error: msg(lang, 'v.idleMinutes', { max: LIMITS.IDLE_LOCK_MAX }) };
  return collect({ minutes: r }, (v) => ({ minutes: v.minutes as number }));
}
