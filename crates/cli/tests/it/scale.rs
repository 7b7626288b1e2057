//! `sene scale read` against the scale emulator of `sene-scale`: the emulator speaks on one end
//! of a pseudo-terminal pair, `sene` opens the other end by its name as it opens a USB adapter.
//! No store is opened (the `--store` given does not exist). Linux: the pseudo-terminal's name is
//! read from `/proc/self/fd`; elsewhere these tests return at once.
#![cfg(unix)]
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::str::FromStr;

use sene_scale::emulator::{Emulator, Fault, ScaleState, SerialPort};
use sene_scale::{Decimal, ProtocolKind, Unit};
use serde_json::Value;

use crate::common::sene;

const NO_STORE: &str = "/nonexistent/sene-scale-test/sene.sqlite";

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// An emulator and the port name to give `sene` (`None` off Linux). The second value is the
/// computer's end, kept open while `sene` runs.
fn start(protocol: ProtocolKind, state: ScaleState) -> Option<(Emulator, SerialPort, String)> {
    let (emulator, host) = Emulator::start(protocol, state).unwrap();
    let path = emulator.path()?.display().to_string();
    Some((emulator, host, path))
}

fn run(args: &[&str]) -> (bool, String, String) {
    let o = sene(Path::new(NO_STORE), args);
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn reads_a_stable_weight_in_french_and_in_json() {
    let Some((emulator, _host, port)) = start(ProtocolKind::And, ScaleState::steady(d("50.25")))
    else {
        return;
    };
    // a garbled frame on the line before the stable weight: shown as skipped, never taken
    emulator.inject(Fault::Garble);
    let (ok, out, err) = run(&[
        "scale",
        "read",
        "--port",
        &port,
        "--protocol",
        "and",
        "--stable-ms",
        "300",
    ]);
    assert!(ok, "{out}{err}");
    assert!(
        out.contains(&format!("Balance {port} (and, 9600 bauds, 8N1)")),
        "{out}"
    );
    assert!(out.contains("  trame illisible, ignorée : "), "{out}");
    assert!(out.contains("  50,25 kg  stable\n"), "{out}");
    assert!(out.contains("Poids stable : 50,25 kg (tenu "), "{out}");
    assert!(out.contains("Trame : ST,GS,+00050.25  kg\n"), "{out}");

    // MT-SICS, in English and JSON: the reading with its raw frame; the live lines on stderr
    let Some((_emulator, _host, port)) =
        start(ProtocolKind::MtSics, ScaleState::steady(d("50.25")))
    else {
        return;
    };
    let (ok, out, err) = run(&[
        "--lang",
        "en",
        "--json",
        "scale",
        "read",
        "--port",
        &port,
        "--protocol",
        "mt-sics",
        "--stable-ms",
        "300",
    ]);
    assert!(ok, "{out}{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["gross_kg"], "50.25");
    assert_eq!(v["protocol"], "mt-sics");
    assert_eq!(v["reading"]["raw"], "S S      50.25 kg");
    assert_eq!(v["reading"]["stable"], true);
    assert!(v["held_ms"].as_u64().unwrap() >= 300);
    assert!(err.contains("  50.25 kg  stable"), "{err}");
}

#[test]
fn converts_pounds_exactly() {
    let state = ScaleState {
        unit: Unit::Lb,
        decimals: 1,
        ..ScaleState::steady(d("100.0"))
    };
    let Some((_emulator, _host, port)) = start(ProtocolKind::Xk3190, state) else {
        return;
    };
    let (ok, out, err) = run(&[
        "--lang",
        "en",
        "scale",
        "read",
        "--port",
        &port,
        "--protocol",
        "xk3190",
        "--unit",
        "lb",
        "--stable-ms",
        "300",
    ]);
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("Stable weight: 45.359237 kg (100.0 lb) (held "),
        "{out}"
    );
    assert!(out.contains("Frame: \\x02+0010001"), "{out}");
}

#[test]
fn clear_errors() {
    // an unstable load until the timeout
    let moving = ScaleState {
        unstable: true,
        ..ScaleState::steady(d("50.25"))
    };
    let Some((_emulator, _host, port)) = start(ProtocolKind::And, moving) else {
        return;
    };
    let (ok, out, err) = run(&[
        "scale",
        "read",
        "--port",
        &port,
        "--protocol",
        "and",
        "--timeout-s",
        "1",
    ]);
    assert!(!ok);
    assert!(out.contains("en mouvement"), "{out}");
    assert!(
        err.starts_with("erreur : pas de poids stable en 1 s ("),
        "{err}"
    );
    // the same port read with the wrong protocol
    let (ok, out, _) = run(&[
        "--json",
        "--lang",
        "en",
        "scale",
        "read",
        "--port",
        &port,
        "--protocol",
        "xk3190",
        "--timeout-s",
        "1",
    ]);
    assert!(!ok);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["error"]["code"], "unreadable", "{out}");
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("none readable: check the protocol (xk3190), the speed (9600 baud)"));
    // a port that does not exist
    let (ok, out, _) = run(&[
        "--json",
        "scale",
        "read",
        "--port",
        "/dev/ttyUSB-sene-absent",
        "--protocol",
        "and",
    ]);
    assert!(!ok);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["error"]["code"], "port_not_found");
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("port série /dev/ttyUSB-sene-absent introuvable"));
    // no port, an unknown protocol, a wrong speed
    let (ok, _, err) = run(&["scale", "read", "--protocol", "and"]);
    assert!(
        !ok && err.starts_with("erreur : aucun port série indiqué"),
        "{err}"
    );
    let (ok, _, err) = run(&[
        "--lang",
        "en",
        "scale",
        "read",
        "--port",
        &port,
        "--protocol",
        "ohaus",
    ]);
    assert!(!ok);
    assert_eq!(
        err.trim_end(),
        "error: unknown scale protocol \"ohaus\": mt-sics, and or xk3190"
    );
    let (ok, _, err) = run(&[
        "scale",
        "read",
        "--port",
        &port,
        "--protocol",
        "and",
        "--baud",
        "9601",
    ]);
    assert!(!ok && err.contains("vitesse « 9601 » invalide"), "{err}");
}
