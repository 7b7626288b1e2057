//! `sene scale read`: reads the warehouse's scale on a serial port (no store opened). The live
//! readings are printed as they change (on stderr with `--json`), every skipped frame with its
//! reason, then the stable weight; `--json` gives that reading with its raw frame. The
//! protocols, the stability rule and the errors are `sene_scale`'s.

use std::str::FromStr;
use std::time::Duration;

use sene_domain::Lang;
use sene_scale::config::parse_baud;
use sene_scale::{
    CharFormat, Decimal, Event, ProtocolKind, Reading, Scale, ScaleConfig, ScaleError, Unit,
};
use serde_json::json;

use crate::cli::{ScaleCmd, ScaleReadArgs};
use crate::error::{CliError, CliResult};
use crate::lang::{decimal, tr};
use crate::output::{progress, Output};

/// Timeout bounds, in seconds.
const TIMEOUT_S: (u64, u64) = (1, 600);

/// Runs a `sene scale` command.
pub fn run(c: &ScaleCmd, json: bool, lang: Lang) -> CliResult<Output> {
    match c {
        ScaleCmd::Read(a) => read(a, json, lang),
    }
}

fn read(a: &ScaleReadArgs, json: bool, lang: Lang) -> CliResult<Output> {
    let config = config(a)?;
    let timeout = number("--timeout-s", &a.timeout_s, TIMEOUT_S).map_err(scale_error)?;
    let mut scale = Scale::open(&config).map_err(scale_error)?;
    progress(
        json,
        &tr(
            lang,
            format!(
                "Balance {} ({}, {} bauds, {}) : lecture jusqu'à un poids stable {} ms, {timeout} s au plus",
                config.port, config.protocol, config.baud, config.format, config.stable_ms
            ),
            format!(
                "Scale {} ({}, {} baud, {}): reading until a weight is stable for {} ms, {timeout} s at most",
                config.port, config.protocol, config.baud, config.format, config.stable_ms
            ),
        ),
    );
    let mut last: Option<(Decimal, Option<bool>)> = None;
    let weight = scale
        .read_stable(Duration::from_secs(timeout), |e| match e {
            Event::Reading(r) => {
                // a line when the weight or the scale's flag changes, not at every frame
                if last != Some((r.gross, r.stable)) {
                    last = Some((r.gross, r.stable));
                    progress(json, &format!("  {}", live(lang, r)));
                }
            }
            Event::Refused(x) => {
                last = None;
                progress(json, &format!("  {}", x.message(lang)));
            }
        })
        .map_err(scale_error)?;
    let r = &weight.reading;
    let held = decimal(
        lang,
        Decimal::new(i64::try_from(weight.held_ms).unwrap_or(i64::MAX), 3).normalize(),
    );
    Ok(Output::new(&json!({
        "port": config.port,
        "protocol": config.protocol,
        "gross_kg": r.gross,
        "reading": r,
        "held_ms": weight.held_ms,
        "frames": weight.frames,
    }))?
    .line(tr(
        lang,
        format!(
            "Poids stable : {} kg{} (tenu {held} s sur {} trames)",
            decimal(lang, r.gross),
            shown(lang, r),
            weight.frames
        ),
        format!(
            "Stable weight: {} kg{} (held {held} s over {} frames)",
            r.gross,
            shown(lang, r),
            weight.frames
        ),
    ))
    .line(tr(
        lang,
        format!("Trame : {}", r.raw),
        format!("Frame: {}", r.raw),
    )))
}

/// The configuration from the options (the app will keep one per device).
fn config(a: &ScaleReadArgs) -> CliResult<ScaleConfig> {
    let port = a.port.as_deref().map(str::trim).unwrap_or_default();
    if port.is_empty() {
        return Err(scale_error(ScaleError::NoPort {
            available: sene_scale::link::available_ports(),
        }));
    }
    let protocol =
        ProtocolKind::from_str(a.protocol.as_deref().unwrap_or_default()).map_err(scale_error)?;
    let mut c = ScaleConfig::new(port, protocol);
    c.baud = parse_baud(&a.baud).map_err(scale_error)?;
    c.format = CharFormat::from_str(&a.format).map_err(scale_error)?;
    c.stable_ms =
        number("--stable-ms", &a.stable_ms, sene_scale::config::STABLE_MS).map_err(scale_error)?;
    if let Some(u) = a.unit.as_deref() {
        c.unit = Some(Unit::from_str(u).map_err(|_| {
            CliError::msg(
                "invalid_unit",
                format!("--unit : « {u} » inconnue (kg, g, t, lb)"),
                format!("--unit: unknown \"{u}\" (kg, g, t, lb)"),
            )
        })?);
    }
    if let Some(k) = a.capacity_kg.as_deref() {
        let kg = Decimal::from_str(&k.trim().replace(',', "."))
            .ok()
            .filter(|d| *d > Decimal::ZERO);
        c.capacity_kg = Some(kg.ok_or_else(|| {
            CliError::msg(
                "invalid_value",
                format!("--capacity-kg : « {k} » n'est pas un poids en kg positif"),
                format!("--capacity-kg: \"{k}\" is not a positive weight in kg"),
            )
        })?);
    }
    c.validate().map_err(scale_error)?;
    Ok(c)
}

/// A whole number within bounds.
fn number(field: &'static str, s: &str, (min, max): (u64, u64)) -> Result<u64, ScaleError> {
    s.trim()
        .parse::<u64>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| ScaleError::InvalidSetting {
            field,
            given: s.to_owned(),
            min,
            max,
        })
}

/// A live reading: `50,25 kg  stable` / `50.25 kg  moving`.
fn live(lang: Lang, r: &Reading) -> String {
    let flag = match (r.stable, lang) {
        (Some(true), Lang::Fr) => "  stable",
        (Some(true), Lang::En) => "  stable",
        (Some(false), Lang::Fr) => "  en mouvement",
        (Some(false), Lang::En) => "  moving",
        (None, _) => "",
    };
    let net = match (r.net, lang) {
        (true, Lang::Fr) => " net",
        (true, Lang::En) => " net",
        (false, _) => "",
    };
    format!("{} kg{net}{}{flag}", decimal(lang, r.gross), shown(lang, r))
}

/// ` (100,00 lb)` when the indicator's unit is not kg.
fn shown(lang: Lang, r: &Reading) -> String {
    if r.unit == Unit::Kg {
        String::new()
    } else {
        format!(" ({} {})", decimal(lang, r.shown), r.unit.symbol())
    }
}

fn scale_error(e: ScaleError) -> CliError {
    CliError::msg(e.code(), e.message(Lang::Fr), e.message(Lang::En))
}
