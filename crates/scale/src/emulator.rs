//! A scale emulator: an indicator speaking one protocol on one end of a pseudo-terminal pair,
//! with a settable load, flicker (noise), motion (instability), overload, and faults on the line
//! (a garbled frame, a cut frame). The other end is a serial port like a real one: the tests
//! read it through [`crate::SerialLink`], and `sene scale read --port <path>` opens it by name
//! ([`Emulator::path`], Linux).
//!
//! Unix only (`#[cfg(unix)]`): Windows has no pseudo-terminal pair; a com0com null-modem pair
//! would play that part there. The pure part (what each frame looks like) is the protocols' own
//! encoders ([`crate::protocol::mt_sics::weight_answer`], [`crate::protocol::and::frame`],
//! [`crate::protocol::xk3190::frame`]).

use std::collections::VecDeque;
use std::time::Duration;

use rust_decimal::Decimal;

use crate::reading::Unit;

/// The serial number the emulated MT-SICS indicator gives (`I4`).
pub const SERIAL: &str = "EMU-0001";

/// What the emulated indicator has on its platform and how it behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScaleState {
    /// The load, in `unit` (negative: below zero).
    pub weight: Decimal,
    /// The indicator's unit.
    pub unit: Unit,
    /// Decimals shown (the division: 2 → 0.01).
    pub decimals: u32,
    /// Flicker in divisions: each frame is off by 1 to `noise` divisions, alternately up and
    /// down, so two consecutive frames always differ (0: none).
    pub noise: u32,
    /// The load is moving: the scale's flag says so (MT-SICS `S D`, A&D `US`) and the value
    /// drifts at every frame.
    pub unstable: bool,
    /// The indicator is overloaded (MT-SICS `S +`, A&D `OL`, XK3190 `oFL`, sent as no digits).
    pub overload: bool,
    /// Time between two frames of continuous output.
    pub period: Duration,
}

impl Default for ScaleState {
    fn default() -> Self {
        ScaleState {
            weight: Decimal::ZERO,
            unit: Unit::Kg,
            decimals: 2,
            noise: 0,
            unstable: false,
            overload: false,
            period: Duration::from_millis(50),
        }
    }
}

impl ScaleState {
    /// A steady load of `weight` (in kg, two decimals).
    #[must_use]
    pub fn steady(weight: Decimal) -> Self {
        ScaleState {
            weight,
            ..ScaleState::default()
        }
    }
}

/// A fault on the line, for the next frame sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// One character altered (a parity error: the high bit set; on XK3190 a digit changed).
    Garble,
    /// The frame's second half lost (its end, line end or ETX, never comes).
    Cut,
}

/// The emulator's changing part (used by the pseudo-terminal side, Unix only).
#[derive(Debug)]
#[cfg_attr(not(unix), allow(dead_code))]
struct Inner {
    state: ScaleState,
    faults: VecDeque<Fault>,
    /// Tare and zero offsets (MT-SICS `T`, `Z`), in `unit`.
    offset: Decimal,
    sent: u64,
    rng: u64,
}

#[cfg_attr(not(unix), allow(dead_code))]
impl Inner {
    /// The value the indicator shows at frame `k`, rounded to its division.
    fn shown(&mut self) -> Decimal {
        let s = &self.state;
        let division = Decimal::new(1, s.decimals);
        let k = self.sent;
        let sign = if k.is_multiple_of(2) {
            Decimal::ONE
        } else {
            Decimal::NEGATIVE_ONE
        };
        let mut v = s.weight - self.offset;
        if s.unstable {
            v += sign * Decimal::from(k % 5 + 1) * division * Decimal::from(7);
        }
        if s.noise > 0 {
            self.rng ^= self.rng << 13;
            self.rng ^= self.rng >> 7;
            self.rng ^= self.rng << 17;
            let n = self.rng % u64::from(s.noise) + 1;
            v += sign * Decimal::from(n) * division;
        }
        v.round_dp(s.decimals)
    }

    /// Applies the next fault, if any, to a frame about to be sent.
    fn fault(&mut self, mut frame: Vec<u8>, stx: bool) -> Vec<u8> {
        match self.faults.pop_front() {
            None => frame,
            Some(Fault::Cut) => {
                frame.truncate(frame.len() / 2);
                frame
            }
            Some(Fault::Garble) if stx => {
                // a digit changed (bit 0): still a digit, caught by the XOR check
                if let Some(b) = frame.get_mut(5) {
                    *b ^= 0x01;
                }
                frame
            }
            Some(Fault::Garble) => {
                let i = frame.len() / 2;
                if let Some(b) = frame.get_mut(i) {
                    *b |= 0x80;
                }
                frame
            }
        }
    }
}

#[cfg(unix)]
pub use pty::Emulator;
/// The computer's end of the emulator's pseudo-terminal pair.
#[cfg(unix)]
pub use serial2::SerialPort;

#[cfg(unix)]
mod pty {
    use std::path::PathBuf;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex, MutexGuard};
    use std::thread::JoinHandle;
    use std::time::Duration;

    use rust_decimal::Decimal;
    use serial2::SerialPort;

    use super::{Fault, Inner, ScaleState};
    use crate::framer::Framer;
    use crate::protocol::{and, mt_sics, xk3190, Framing, ProtocolKind};
    use crate::reading::raw_text;

    /// An emulated indicator on a pseudo-terminal; stopped when dropped.
    #[derive(Debug)]
    pub struct Emulator {
        inner: Arc<Mutex<Inner>>,
        stop: Arc<AtomicBool>,
        thread: Option<JoinHandle<()>>,
        path: Option<PathBuf>,
    }

    impl Emulator {
        /// Starts an indicator speaking `protocol` with `state`: the emulator and the other end
        /// of its pseudo-terminal pair (the computer's side, raw mode). Keep that end open while
        /// the emulator runs, even when another process opens it by [`Emulator::path`].
        ///
        /// # Errors
        /// The system's, when no pseudo-terminal can be had.
        pub fn start(
            protocol: ProtocolKind,
            state: ScaleState,
        ) -> std::io::Result<(Emulator, SerialPort)> {
            let (device, host) = SerialPort::pair()?;
            let path = host_path(&host);
            let inner = Arc::new(Mutex::new(Inner {
                state,
                faults: Default::default(),
                offset: Decimal::ZERO,
                sent: 0,
                rng: 0x9E37_79B9_7F4A_7C15,
            }));
            let stop = Arc::new(AtomicBool::new(false));
            let (i, s) = (Arc::clone(&inner), Arc::clone(&stop));
            let thread = std::thread::Builder::new()
                .name(format!("scale-emulator-{protocol}"))
                .spawn(move || match protocol {
                    ProtocolKind::MtSics => answer_requests(&device, &i, &s),
                    ProtocolKind::And | ProtocolKind::Xk3190 => stream(&device, protocol, &i, &s),
                })?;
            Ok((
                Emulator {
                    inner,
                    stop,
                    thread: Some(thread),
                    path,
                },
                host,
            ))
        }

        /// The name of the computer's end, to open it as a serial port (Linux: read from
        /// `/proc/self/fd`; `None` elsewhere).
        #[must_use]
        pub fn path(&self) -> Option<&std::path::Path> {
            self.path.as_deref()
        }

        /// Changes what the indicator has or does (load, noise, motion, overload…).
        pub fn set(&self, f: impl FnOnce(&mut ScaleState)) {
            f(&mut lock(&self.inner).state);
        }

        /// A fault for the next frame sent.
        pub fn inject(&self, fault: Fault) {
            lock(&self.inner).faults.push_back(fault);
        }

        /// Frames sent so far.
        #[must_use]
        pub fn frames_sent(&self) -> u64 {
            lock(&self.inner).sent
        }
    }

    impl Drop for Emulator {
        fn drop(&mut self) {
            self.stop.store(true, Ordering::Relaxed);
            if let Some(t) = self.thread.take() {
                let _ = t.join();
            }
        }
    }

    fn lock(m: &Mutex<Inner>) -> MutexGuard<'_, Inner> {
        m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    #[cfg(target_os = "linux")]
    fn host_path(host: &SerialPort) -> Option<PathBuf> {
        use std::os::fd::AsRawFd;
        std::fs::read_link(format!("/proc/self/fd/{}", host.as_raw_fd())).ok()
    }

    #[cfg(not(target_os = "linux"))]
    fn host_path(_host: &SerialPort) -> Option<PathBuf> {
        None
    }

    /// Continuous output (A&D, XK3190): a frame every period.
    fn stream(
        device: &SerialPort,
        protocol: ProtocolKind,
        inner: &Mutex<Inner>,
        stop: &AtomicBool,
    ) {
        while !stop.load(Ordering::Relaxed) {
            let (frame, period) = {
                let mut g = lock(inner);
                let shown = g.shown();
                let s = g.state.clone();
                let frame = match protocol {
                    ProtocolKind::Xk3190 if s.overload => {
                        let body = b"+ oFL  0";
                        let mut f = vec![0x02];
                        f.extend_from_slice(body);
                        f.extend_from_slice(&xk3190::check(body));
                        f.push(0x03);
                        f
                    }
                    ProtocolKind::Xk3190 => {
                        let digits = (shown.abs() * Decimal::from(10u64.pow(s.decimals)))
                            .trunc()
                            .to_string()
                            .parse::<u32>()
                            .unwrap_or(999_999);
                        xk3190::frame(
                            shown.is_sign_negative(),
                            digits,
                            u8::try_from(s.decimals).unwrap_or(4),
                        )
                    }
                    _ => {
                        let header = if s.overload {
                            and::Header::Overload
                        } else if s.unstable {
                            and::Header::Unstable
                        } else {
                            and::Header::Stable
                        };
                        let text = format!("{:.*}", s.decimals as usize, shown.abs());
                        and::frame(header, shown.is_sign_negative(), &text, s.unit)
                    }
                };
                let frame = g.fault(frame, protocol == ProtocolKind::Xk3190);
                g.sent += 1;
                (frame, s.period)
            };
            if let Err(e) = device.write_all(&frame) {
                if e.kind() != std::io::ErrorKind::TimedOut {
                    return;
                }
            }
            std::thread::sleep(period);
        }
    }

    /// MT-SICS: answers each request line.
    fn answer_requests(device: &SerialPort, inner: &Mutex<Inner>, stop: &AtomicBool) {
        let mut device = match device.try_clone() {
            Ok(d) => d,
            Err(_) => return,
        };
        let _ = device.set_read_timeout(Duration::from_millis(20));
        let mut framer = Framer::new(Framing::Lines);
        let mut buf = [0u8; 64];
        while !stop.load(Ordering::Relaxed) {
            match device.read(&mut buf) {
                Ok(n) => framer.push(&buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => continue,
                Err(_) => return,
            }
            while let Some(line) = framer.next_frame() {
                let answer = {
                    let mut g = lock(inner);
                    let answer = match line {
                        Ok(l) => answer(&mut g, &raw_text(&l)),
                        Err(_) => b"ET\r\n".to_vec(),
                    };
                    g.fault(answer, false)
                };
                if device.write_all(&answer).is_err() {
                    return;
                }
            }
        }
    }

    fn answer(g: &mut Inner, command: &str) -> Vec<u8> {
        let s = g.state.clone();
        let text = |v: Decimal| format!("{:.*}", s.decimals as usize, v);
        match command.trim() {
            "SI" | "S" if s.overload => b"S +\r\n".to_vec(),
            "S" if s.unstable => b"S I\r\n".to_vec(),
            "SI" | "S" => {
                let shown = g.shown();
                g.sent += 1;
                mt_sics::weight_answer(!s.unstable, &text(shown), s.unit)
            }
            "T" | "Z" if s.unstable => format!("{} I\r\n", command.trim()).into_bytes(),
            "T" => {
                g.offset = s.weight;
                format!("T S {:>10} {}\r\n", text(s.weight), s.unit.symbol()).into_bytes()
            }
            "Z" => {
                g.offset = s.weight;
                b"Z A\r\n".to_vec()
            }
            "I4" => format!("I4 A \"{}\"\r\n", super::SERIAL).into_bytes(),
            _ => b"ES\r\n".to_vec(),
        }
    }
}
