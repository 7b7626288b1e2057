//! Demo data: a realistic small union shipped in `assets/demo/`, and a generated union at
//! benchmark scale. (Being written: signatures are fixed.)

use serde::{Deserialize, Serialize};

use crate::{Ledger, Result};

/// How big a generated union is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scale {
    pub cooperatives: u32,
    pub members: u32,
    pub contracts: u32,
    pub deliveries: u32,
    pub distributions: u32,
}

impl Scale {
    /// One union as in DOMAIN.md: 150 cooperatives, 6,000 members, 6,000 contracts,
    /// 50,000 deliveries, 10,000 fertilizer distributions.
    pub const UNION: Scale = Scale {
        cooperatives: 150,
        members: 6_000,
        contracts: 6_000,
        deliveries: 50_000,
        distributions: 10_000,
    };
}

/// What was loaded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoSummary {
    pub cooperatives: u32,
    pub members: u32,
    pub campaigns: u32,
    pub contracts: u32,
    pub disbursements: u32,
    pub deliveries: u32,
    pub distributions: u32,
}

/// Fills an EMPTY store with the demo union of `assets/demo/union.json` (embedded in the
/// binary). `progress` receives a French line per step.
///
/// # Errors
/// [`crate::AppError::AlreadyInitialized`] when the store is not empty; use-case errors.
pub fn load_demo(_ledger: &mut Ledger, _progress: &mut dyn FnMut(&str)) -> Result<DemoSummary> {
    Err(crate::AppError::NotInitialized)
}

/// Fills an EMPTY store with a generated union of the given scale (deterministic from `seed`).
///
/// # Errors
/// As [`load_demo`].
pub fn generate_union(
    _ledger: &mut Ledger,
    _scale: Scale,
    _seed: u64,
    _progress: &mut dyn FnMut(&str),
) -> Result<DemoSummary> {
    Err(crate::AppError::NotInitialized)
}
