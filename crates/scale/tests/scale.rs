//! The scale module end to end, one test binary: the emulator speaks each protocol on one end
//! of a pseudo-terminal pair, and a [`Scale`] reads the other end through [`SerialLink`], as it
//! reads a USB adapter. Unix only (pseudo-terminals).
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::str::FromStr;
use std::time::Duration;

use rust_decimal::Decimal;
use sene_scale::emulator::{Emulator, Fault, ScaleState};
use sene_scale::protocol::Command;
use sene_scale::{
    Event, Lang, ProtocolKind, Refusal, Scale, ScaleConfig, ScaleError, SerialLink, Unit,
};

const HOLD: Duration = Duration::from_millis(300);

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// An emulator for `protocol` with `state`, and a scale reading it (hold 300 ms).
fn station(
    protocol: ProtocolKind,
    state: ScaleState,
    unit: Option<Unit>,
    capacity: Option<Decimal>,
) -> (Emulator, Scale<SerialLink>) {
    let (emulator, host) = Emulator::start(protocol, state).expect("a pseudo-terminal");
    let link = SerialLink::from_port(host, "pty", 9600);
    let scale = Scale::new(link, protocol.build(unit, capacity), HOLD);
    (emulator, scale)
}

/// Reads until a stable weight or `secs`, with every event seen.
fn read(
    scale: &mut Scale<SerialLink>,
    secs: u64,
) -> (Result<sene_scale::StableWeight, ScaleError>, Vec<Event>) {
    let mut events = Vec::new();
    let r = scale.read_stable(Duration::from_secs(secs), |e| events.push(e.clone()));
    (r, events)
}

fn refused(events: &[Event]) -> Vec<&'static str> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Refused(r) => Some(r.code()),
            Event::Reading(_) => None,
        })
        .collect()
}

#[test]
fn a_stable_weight_is_captured_for_each_protocol() {
    for protocol in ProtocolKind::ALL {
        let (_emulator, mut scale) = station(*protocol, ScaleState::steady(d("50.25")), None, None);
        let (w, events) = read(&mut scale, 5);
        let w = w.unwrap_or_else(|e| panic!("{protocol}: {}", e.message(Lang::En)));
        assert_eq!(w.reading.gross, d("50.25"), "{protocol}");
        assert!(w.held_ms >= 300 && w.frames >= 2, "{protocol}: {w:?}");
        assert_eq!(w.reading.unit, Unit::Kg);
        assert!(!w.reading.raw.is_empty());
        // the scale's own flag is read where the protocol has one
        let flag = if *protocol == ProtocolKind::Xk3190 {
            None
        } else {
            Some(true)
        };
        assert_eq!(w.reading.stable, flag, "{protocol}");
        assert!(refused(&events).is_empty(), "{protocol}: {events:?}");
    }
    // the raw frame is the one on the line
    let (_emulator, mut scale) = station(
        ProtocolKind::And,
        ScaleState::steady(d("12.34")),
        None,
        None,
    );
    let w = read(&mut scale, 5).0.unwrap();
    assert_eq!(w.reading.raw, "ST,GS,+00012.34  kg");
}

#[test]
fn an_unstable_stream_never_yields_a_stable_weight() {
    for protocol in ProtocolKind::ALL {
        let state = ScaleState {
            unstable: true,
            ..ScaleState::steady(d("50.25"))
        };
        let (emulator, mut scale) = station(*protocol, state, None, None);
        let (w, events) = read(&mut scale, 2);
        assert!(
            matches!(w, Err(ScaleError::NotStable { .. })),
            "{protocol}: {w:?}"
        );
        assert!(emulator.frames_sent() > 10, "{protocol}");
        assert!(events.len() > 10, "{protocol}");
    }
    // flicker of one division, on a protocol without a motion flag: never equal long enough
    let state = ScaleState {
        noise: 1,
        ..ScaleState::steady(d("50.25"))
    };
    let (_emulator, mut scale) = station(ProtocolKind::Xk3190, state, None, None);
    let (w, events) = read(&mut scale, 2);
    assert!(matches!(w, Err(ScaleError::NotStable { .. })), "{w:?}");
    assert!(events
        .iter()
        .all(|e| matches!(e, Event::Reading(r) if r.gross == d("50.24") || r.gross == d("50.26"))));
}

#[test]
fn overload_and_negative_are_refused() {
    let overload = ScaleState {
        overload: true,
        ..ScaleState::steady(d("50"))
    };
    for protocol in [ProtocolKind::MtSics, ProtocolKind::And] {
        let (_emulator, mut scale) = station(protocol, overload.clone(), None, None);
        let (w, events) = read(&mut scale, 1);
        let Err(ScaleError::NotStable { last, .. }) = w else {
            panic!("{protocol}: {w:?}")
        };
        assert!(matches!(last, Some(Refusal::Overload { .. })), "{protocol}");
        assert!(refused(&events).iter().all(|c| *c == "overload"));
    }
    // XK3190-A9 says nothing of an overload: the capacity set for the scale refuses it, and
    // its `oFL` frame (no digits) is garbled
    let (_emulator, mut scale) = station(
        ProtocolKind::Xk3190,
        ScaleState::steady(d("3100")),
        None,
        Some(d("3000")),
    );
    let (w, events) = read(&mut scale, 1);
    assert!(matches!(w, Err(ScaleError::NotStable { .. })));
    assert!(refused(&events).iter().all(|c| *c == "above_capacity"));
    let (_emulator, mut scale) = station(ProtocolKind::Xk3190, overload, None, None);
    let (w, events) = read(&mut scale, 1);
    assert!(matches!(w, Err(ScaleError::Unreadable { .. })), "{w:?}");
    assert!(refused(&events).iter().all(|c| *c == "garbled"));
    // negative
    for protocol in ProtocolKind::ALL {
        let (_emulator, mut scale) = station(*protocol, ScaleState::steady(d("-0.50")), None, None);
        let (w, events) = read(&mut scale, 1);
        let Err(ScaleError::NotStable { last, .. }) = w else {
            panic!("{protocol}: {w:?}")
        };
        assert!(
            matches!(last, Some(Refusal::Negative { kg, .. }) if kg == d("-0.5")),
            "{protocol}: {last:?}"
        );
        assert!(!events.is_empty() && refused(&events).iter().all(|c| *c == "negative"));
    }
}

#[test]
fn a_garbled_or_cut_frame_is_skipped_never_taken() {
    for protocol in ProtocolKind::ALL {
        let (emulator, mut scale) = station(*protocol, ScaleState::steady(d("50.25")), None, None);
        emulator.inject(Fault::Garble);
        emulator.inject(Fault::Cut);
        let (w, events) = read(&mut scale, 5);
        let w = w.unwrap_or_else(|e| panic!("{protocol}: {}", e.message(Lang::En)));
        assert_eq!(w.reading.gross, d("50.25"), "{protocol}");
        let codes = refused(&events);
        let expected: &[&str] = match protocol {
            // a digit changed: the XOR check catches it; the cut frame is ended by the next STX
            ProtocolKind::Xk3190 => &["checksum", "partial"],
            // a parity error (high bit), then half a line glued to the next one
            _ => &["garbled", "garbled"],
        };
        assert_eq!(codes, expected, "{protocol}: {events:?}");
        // every reading seen is the true weight: nothing garbled got through as a weight
        for e in &events {
            if let Event::Reading(r) = e {
                assert_eq!(r.gross, d("50.25"), "{protocol}: {r:?}");
            }
        }
    }
}

#[test]
fn units_are_converted_to_kg_exactly() {
    let lb = ScaleState {
        unit: Unit::Lb,
        ..ScaleState::steady(d("100.00"))
    };
    for protocol in ProtocolKind::ALL {
        // XK3190 frames carry no unit: the scale's setting says pounds
        let unit = (*protocol == ProtocolKind::Xk3190).then_some(Unit::Lb);
        let (_emulator, mut scale) = station(*protocol, lb.clone(), unit, None);
        let w = read(&mut scale, 5).0.unwrap();
        assert_eq!(w.reading.gross, d("45.359237"), "{protocol}");
        assert_eq!((w.reading.shown, w.reading.unit), (d("100.00"), Unit::Lb));
    }
    let grams = ScaleState {
        unit: Unit::G,
        decimals: 1,
        ..ScaleState::steady(d("1234.5"))
    };
    let (_emulator, mut scale) = station(ProtocolKind::MtSics, grams, None, None);
    assert_eq!(read(&mut scale, 5).0.unwrap().reading.gross, d("1.2345"));
    let tons = ScaleState {
        unit: Unit::T,
        decimals: 3,
        ..ScaleState::steady(d("1.205"))
    };
    let (_emulator, mut scale) = station(ProtocolKind::And, tons, None, None);
    assert_eq!(read(&mut scale, 5).0.unwrap().reading.gross, d("1205"));
}

/// The indicator's identity: MT-SICS gives its serial number (`I4`); a continuous-output
/// protocol gives none and nothing is sent.
#[test]
fn the_indicator_says_who_it_is_when_its_protocol_can() {
    let (_emulator, mut scale) = station(
        ProtocolKind::MtSics,
        ScaleState::steady(d("2.50")),
        None,
        None,
    );
    let id = scale.identify(Duration::from_secs(2)).unwrap();
    assert_eq!(id.as_deref(), Some(sene_scale::emulator::SERIAL));
    // the weight is read as before afterwards
    let (w, _) = read(&mut scale, 3);
    assert_eq!(w.unwrap().reading.gross, d("2.5"));
    let (_emulator, mut scale) =
        station(ProtocolKind::And, ScaleState::steady(d("2.50")), None, None);
    assert_eq!(scale.identify(Duration::from_secs(1)).unwrap(), None);
}

#[test]
fn tare_and_zero_commands() {
    let (_emulator, mut scale) = station(
        ProtocolKind::MtSics,
        ScaleState::steady(d("2.50")),
        None,
        None,
    );
    scale
        .command(Command::Tare, Duration::from_secs(2))
        .unwrap();
    // after the tare the indicator shows 0.00: a reading, never a captured weight
    let (w, events) = read(&mut scale, 1);
    assert!(matches!(w, Err(ScaleError::NotStable { .. })), "{w:?}");
    assert!(events
        .iter()
        .any(|e| matches!(e, Event::Reading(r) if r.gross.is_zero())));
    scale
        .command(Command::Zero, Duration::from_secs(2))
        .unwrap();
    // a moving load: the indicator refuses to tare
    let moving = ScaleState {
        unstable: true,
        ..ScaleState::steady(d("2.50"))
    };
    let (_emulator, mut scale) = station(ProtocolKind::MtSics, moving, None, None);
    let e = scale
        .command(Command::Tare, Duration::from_secs(2))
        .unwrap_err();
    assert!(
        matches!(e, ScaleError::Refused(Refusal::Busy { .. })),
        "{e:?}"
    );
    // XK3190-A9's continuous output takes no command
    let (_emulator, mut scale) = station(
        ProtocolKind::Xk3190,
        ScaleState::steady(d("2.50")),
        None,
        None,
    );
    let e = scale
        .command(Command::Tare, Duration::from_secs(1))
        .unwrap_err();
    assert_eq!(e.code(), "unsupported_command");
    assert!(e.message(Lang::En).contains("indicator's key"));
}

#[test]
fn the_wrong_protocol_reads_nothing() {
    for (speaks, read_as) in [
        (ProtocolKind::And, ProtocolKind::Xk3190),
        (ProtocolKind::Xk3190, ProtocolKind::And),
        (ProtocolKind::And, ProtocolKind::MtSics),
    ] {
        let (_emulator, host) =
            Emulator::start(speaks, ScaleState::steady(d("50.25"))).expect("a pseudo-terminal");
        let link = SerialLink::from_port(host, "/dev/pts/x", 9600);
        let mut scale = Scale::new(link, read_as.build(None, None), HOLD);
        let (w, events) = read(&mut scale, 1);
        let Err(e) = w else {
            panic!("{speaks} read as {read_as}")
        };
        assert_eq!(e.code(), "unreadable", "{speaks} read as {read_as}: {e:?}");
        assert!(e
            .message(Lang::En)
            .contains(&format!("check the protocol ({read_as})")));
        assert!(events.iter().all(|e| matches!(e, Event::Refused(_))));
    }
}

#[test]
fn silence_missing_port_and_bad_settings() {
    // a port where nothing speaks
    let (_other_end, host) = serial2::SerialPort::pair().unwrap();
    let link = SerialLink::from_port(host, "/dev/pts/x", 9600);
    let mut scale = Scale::new(link, ProtocolKind::And.build(None, None), HOLD);
    let e = scale
        .read_stable(Duration::from_secs(1), |_| {})
        .unwrap_err();
    assert_eq!(e.code(), "no_answer");
    assert!(e
        .to_string()
        .contains("aucune réponse de la balance sur /dev/pts/x en 1 s"));
    // a port that does not exist
    let e = Scale::open(&ScaleConfig::new(
        "/dev/ttyUSB-sene-absent",
        ProtocolKind::And,
    ))
    .unwrap_err();
    assert_eq!(e.code(), "port_not_found");
    assert!(e
        .message(Lang::En)
        .starts_with("serial port /dev/ttyUSB-sene-absent not found"));
    // a file that is not a serial port
    let e = Scale::open(&ScaleConfig::new("/dev/null", ProtocolKind::And)).unwrap_err();
    assert_eq!(e.code(), "port_error", "{e:?}");
    // settings
    assert_eq!(
        ProtocolKind::from_str("ohaus").unwrap_err().code(),
        "unknown_protocol"
    );
    assert_eq!(
        ProtocolKind::from_str("MT-SICS").unwrap(),
        ProtocolKind::MtSics
    );
    let mut c = ScaleConfig::new("/dev/ttyUSB0", ProtocolKind::And);
    c.stable_ms = 50;
    assert_eq!(Scale::open(&c).unwrap_err().code(), "invalid_setting");
}
