//! Property tests of the frame readers (#21: "no panic on any bytes"): whatever bytes arrive —
//! noise at the wrong speed, a cable pulled mid-frame, another protocol's frames — each
//! protocol's parser and the framer answer without panicking; what they take as a weight is
//! never negative nor above the capacity set; the framer never hands over a frame longer than
//! [`MAX_FRAME`]; and a well-formed A&D or MT-SICS frame of any value reads back exactly that
//! value in kg.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use sene_scale::framer::{Framer, MAX_FRAME};
use sene_scale::protocol::Framing;
use sene_scale::{Decimal, ProtocolKind};

/// Bytes as a scale line could carry them: mostly the characters of real frames, with any
/// byte mixed in.
fn frame_bytes() -> impl Strategy<Value = Vec<u8>> {
    let likely = prop::sample::select(b"0123456789 .,+-SDIUTNGOLkglbw\x02\x03\r\n".to_vec());
    prop::collection::vec(prop_oneof![3 => likely, 1 => any::<u8>()], 0..120)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn no_parser_panics_and_none_takes_a_negative_or_an_overload(
        frame in frame_bytes(),
        capacity in prop::option::of(1u32..200_000),
    ) {
        let capacity = capacity.map(Decimal::from);
        for kind in ProtocolKind::ALL {
            let p = kind.build(None, capacity);
            if let Ok(r) = p.parse(&frame) {
                prop_assert!(!r.gross.is_sign_negative() || r.gross.is_zero(), "{kind:?} {r:?}");
                if let Some(c) = capacity {
                    prop_assert!(r.gross <= c, "{kind:?} {r:?} above {c}");
                }
            }
            // the other questions a frame is asked never panic either
            let _ = p.identity(&frame);
        }
    }

    #[test]
    fn the_framer_cuts_any_stream_into_bounded_frames(
        chunks in prop::collection::vec(frame_bytes(), 0..8),
        stx in any::<bool>(),
    ) {
        let mut f = Framer::new(if stx { Framing::StxEtx } else { Framing::Lines });
        let mut given = 0usize;
        for c in &chunks {
            f.push(c);
            given += c.len();
            let mut frames = 0usize;
            while let Some(next) = f.next_frame() {
                if let Ok(frame) = next {
                    prop_assert!(frame.len() <= MAX_FRAME, "a frame of {} bytes", frame.len());
                }
                frames += 1;
                prop_assert!(frames <= given + 1, "the framer does not stop");
            }
        }
    }

    #[test]
    fn a_well_formed_frame_reads_back_its_value(hundredths in 0u32..10_000_000, stable in any::<bool>()) {
        let value = Decimal::new(i64::from(hundredths), 2);
        // A&D: ST|US , GS , ±value unit — the value right-aligned in 9 characters
        let head = if stable { "ST" } else { "US" };
        let and = format!("{head},GS,+{:0>9} kg", value.to_string());
        let r = ProtocolKind::And.build(None, None).parse(and.as_bytes()).unwrap();
        prop_assert_eq!(r.gross, value, "{}", and);
        prop_assert_eq!(r.stable, Some(stable));
        // MT-SICS: S S|D, the value right-aligned in 10 characters, its unit
        let flag = if stable { "S" } else { "D" };
        let mt = format!("S {flag} {:>10} kg", value.to_string());
        let r = ProtocolKind::MtSics.build(None, None).parse(mt.as_bytes()).unwrap();
        prop_assert_eq!(r.gross, value, "{}", mt);
        prop_assert_eq!(r.stable, Some(stable));
    }
}
