// Generated from the Rust constants (sene_domain::validate::limits, the receipt prefix,
// the idle lock) by `SENE_BLESS=1 cargo test -p sene-api bindings`. Do not edit.

export const RUST_LIMITS = {
  TEXT_MAX: 120,
  NOTE_MAX: 500,
  MEMBER_MONEY_MAX: 50000000,
  UNION_MONEY_MAX: 100000000000,
  PRICE_PER_KG_MAX: 10000,
  PRICE_PER_BAG_MAX: 500000,
  COMMITTED_KG_MAX: 500000,
  DELIVERY_KG_MAX: 60000,
  BAGS_MAX: 2000,
  LOT_KG_MAX: 10000000,
  MEMBER_NUMBER_MAX: 20,
  RECEIPT_PREFIX_MAX: 8,
  IDLE_LOCK_MAX: 240,
  IDLE_LOCK_DEFAULT: 10,
} as const;
