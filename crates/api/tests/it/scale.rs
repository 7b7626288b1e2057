//! The weighing station's scale through `Session` (#21 item 2), against the scale emulator on a
//! pseudo-terminal: the settings checked (no port, unknown protocol, wrong speed), the clear
//! error of each bad case (a port that does not exist, another protocol's frames, a scale that
//! sends nothing), the live weight held stable and captured, and a capture refused while the
//! load moves or the scale is overloaded.
#![cfg(unix)]
#![allow(clippy::unwrap_used)]

use std::str::FromStr;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use sene_api::*;
use sene_scale::emulator::{Emulator, ScaleState};
use sene_scale::{Decimal, ProtocolKind};

fn session(dir: &tempfile::TempDir) -> Session {
    crate::common::session(
        dir.path(),
        Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap(),
    )
}

fn settings(port: &str, protocol: &str) -> ScaleSettingsRequest {
    ScaleSettingsRequest {
        port: port.into(),
        protocol: protocol.into(),
        baud: "9600".into(),
        format: "8N1".into(),
        stable_ms: "300".into(),
    }
}

/// Polls `scale_reading` as the window does until `ok` holds (10 s at most).
fn until(s: &mut Session, what: &str, ok: impl Fn(&ScaleLiveView) -> bool) -> ScaleLiveView {
    let start = Instant::now();
    loop {
        let v = s.scale_reading().unwrap();
        if ok(&v) {
            return v;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{what}: the scale still says {v:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn emulator(
    protocol: ProtocolKind,
    kg: &str,
) -> (Emulator, sene_scale::emulator::SerialPort, String) {
    let (emu, host) = Emulator::start(
        protocol,
        ScaleState {
            weight: Decimal::from_str(kg).unwrap(),
            ..ScaleState::default()
        },
    )
    .unwrap();
    let path = emu.path().unwrap().display().to_string();
    (emu, host, path)
}

#[test]
fn the_scale_is_read_live_and_says_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = session(&dir);
    // no scale set: off, and nothing to capture
    assert_eq!(s.scale_reading().unwrap().state, "off");
    assert!(!s.scale_settings().unwrap().configured);
    assert_eq!(s.scale_capture().unwrap_err().code, ErrorCode::Scale);

    // settings checked by Rust, the field named
    for (req, field) in [
        (settings("", "and"), "port"),
        (settings("/dev/ttyUSB0", "ohaus"), "protocol"),
        (
            ScaleSettingsRequest {
                baud: "9601".into(),
                ..settings("/dev/ttyUSB0", "and")
            },
            "baud",
        ),
        (
            ScaleSettingsRequest {
                format: "9X1".into(),
                ..settings("/dev/ttyUSB0", "and")
            },
            "format",
        ),
    ] {
        let e = s.set_scale_settings(&req).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidValue, "{e:?}");
        assert_eq!(e.field.as_deref(), Some(field), "{e:?}");
    }

    // a port that does not exist
    s.set_scale_settings(&settings("/dev/sene-no-such-port", "and"))
        .unwrap();
    let v = until(&mut s, "missing port", |v| v.state == "error");
    assert_eq!(v.error_code.as_deref(), Some("port_not_found"), "{v:?}");
    assert!(v.error.unwrap().contains("introuvable"));

    // another protocol's frames: A&D lines read as MT-SICS answers
    let (_emu, _host, port) = emulator(ProtocolKind::And, "50.25");
    s.set_scale_settings(&settings(&port, "mt-sics")).unwrap();
    let v = until(&mut s, "wrong protocol", |v| {
        v.error_code.as_deref() == Some("unreadable")
    });
    assert!(v.error.unwrap().contains("vérifiez le protocole"));

    // nothing received: an MT-SICS balance answers only when asked; read as A&D, it is silent
    let (_silent, _host2, port2) = emulator(ProtocolKind::MtSics, "50.25");
    s.set_scale_settings(&settings(&port2, "and")).unwrap();
    let v = until(&mut s, "silent scale", |v| {
        v.error_code.as_deref() == Some("no_answer")
    });
    assert!(v.error.unwrap().contains("aucune réponse"));

    // the right protocol: the weight held stable, captured
    let (emu, _host3, port3) = emulator(ProtocolKind::And, "50.25");
    s.set_scale_settings(&settings(&port3, "and")).unwrap();
    let v = until(&mut s, "stable weight", |v| v.stable);
    assert_eq!(v.kg.as_deref(), Some("50.25"));
    assert!(v.stable_since_ms.is_some());
    let c = s.scale_capture().unwrap();
    assert_eq!(c.kg, "50.25");
    assert!(c.stable);
    assert_eq!(c.protocol, "and");
    assert_eq!(c.port, format!("{port3} 9600 8N1"));
    assert!(c.raw.contains("+00050.25"), "{c:?}");

    // moving: refused
    emu.set(|st| st.unstable = true);
    until(&mut s, "moving", |v| v.moving && !v.stable);
    let e = s.scale_capture().unwrap_err();
    assert_eq!(e.code, ErrorCode::Scale);
    assert!(e.message.contains("instable"), "{e:?}");
    // overloaded: the frame refused, said, and not captured
    emu.set(|st| {
        st.unstable = false;
        st.overload = true;
    });
    let v = until(&mut s, "overload", |v| {
        v.refusal_code.as_deref() == Some("overload")
    });
    assert!(v.kg.is_none());
    assert!(s.scale_capture().unwrap_err().message.contains("surcharge"));
    // closed: the port let go, reopened by the next reading
    s.scale_close().unwrap();
    emu.set(|st| st.overload = false);
    until(&mut s, "reopened", |v| v.stable);
}

/// A delivery weighed on an MT-SICS scale: the capture's evidence (the indicator's serial
/// number from `I4`, its raw frame, port and settings) in the record; a typed weight sent with an
/// empty reason refused, naming the field.
#[test]
fn a_capture_becomes_the_delivery_s_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = session(&dir);
    s.load_demo(&mut |_| {}).unwrap();
    let (member, contract) = s
        .search_members(&SearchRequest {
            query: String::new(),
            cooperative_id: None,
        })
        .unwrap()
        .into_iter()
        .find_map(|m| {
            let card = s
                .member_card(&MemberRequest {
                    member_id: m.id.clone(),
                })
                .unwrap();
            card.contracts
                .into_iter()
                .find(|c| c.may_deliver)
                .map(|c| (m, c))
        })
        .expect("a contract open to delivery");
    let wh = s
        .warehouses(&CooperativeRequest {
            cooperative_id: member.cooperative_id.clone(),
        })
        .unwrap()
        .remove(0);
    let (_emu, _host, port) = emulator(ProtocolKind::MtSics, "61.25");
    s.set_scale_settings(&settings(&port, "mt-sics")).unwrap();
    until(&mut s, "stable weight", |v| v.stable);
    let c = s.scale_capture().unwrap();
    let req = |captures: Option<Vec<String>>, reason: Option<&str>| DeliveryRequest {
        contract_id: contract.id.clone(),
        warehouse_id: wh.id.clone(),
        bags: "1".into(),
        gross_kg: "70".into(),
        moisture: "12".into(),
        impurity: "1".into(),
        record_id: None,
        captures,
        hand_reason: reason.map(str::to_owned),
        hand_note: None,
    };
    // the gross is the capture's, whatever was typed
    let p = s
        .preview_delivery(&req(Some(vec![c.id.clone()]), None))
        .unwrap();
    assert_eq!(p.gross_kg, "61.3");
    let receipt = s
        .record_delivery(&req(Some(vec![c.id.clone()]), None))
        .unwrap();
    assert!(
        receipt
            .lines
            .iter()
            .any(|l| l.label == "Pesée 1 (balance)" && l.value.ends_with(" · balance EMU-0001")),
        "{:?}",
        receipt.lines
    );
    let id = receipt.id.parse().unwrap();
    let d = s.ledger().db().delivery(id).unwrap().unwrap();
    assert_eq!(d.gross.to_string(), "61,3\u{a0}kg");
    let Some(sene_domain::Weighing::Scale { captures }) = d.weighing else {
        panic!("{:?}", d.weighing)
    };
    assert_eq!(captures.len(), 1);
    assert_eq!(captures[0].indicator.as_deref(), Some("EMU-0001"));
    assert_eq!(captures[0].protocol, "mt-sics");
    assert!(captures[0].raw.starts_with("S S"), "{:?}", captures[0]);
    assert_eq!(captures[0].port, format!("{port} 9600 8N1"));
    // an unknown capture id, and a typed weight without its reason
    let e = s
        .record_delivery(&req(Some(vec!["no-such-capture".into()]), None))
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Scale);
    let e = s.record_delivery(&req(None, Some(""))).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("hand_reason"), "{e:?}");
    let ok = s.record_delivery(&req(None, Some("power_cut"))).unwrap();
    assert!(ok
        .lines
        .iter()
        .any(|l| l.value == "pesée manuelle : coupure de courant ou batterie"));
}
