//! A scale: a [`Link`] and a [`Protocol`]. It asks for weights when the protocol answers on
//! request (MT-SICS `SI`, every 100 ms, again after 500 ms without an answer), cuts the bytes
//! into frames, reads each one, and applies the stable-weight rule ([`Stability`]) until a weight
//! is held or the time is up. Every frame is reported to the caller as an [`Event`], so a screen
//! can show the live weight and what was skipped.

use std::time::{Duration, Instant};

use serde::Serialize;

use crate::config::ScaleConfig;
use crate::error::{Refusal, ScaleError};
use crate::framer::Framer;
use crate::link::{Link, SerialLink};
use crate::protocol::{Command, Protocol};
use crate::reading::Reading;
use crate::stable::Stability;

/// Time between two requests of a polled protocol once it answers.
pub const POLL_EVERY: Duration = Duration::from_millis(100);
/// A request without an answer is sent again after this.
pub const POLL_RETRY: Duration = Duration::from_millis(500);
/// Longest single wait on the port, so that polling goes on.
const READ_SLICE: Duration = Duration::from_millis(50);

/// One frame from the indicator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// A frame read as a weight (not yet a stable one).
    Reading(Reading),
    /// A frame that is not a weight, skipped.
    Refused(Refusal),
}

/// The weight taken: the last frame of the run, how long and over how many frames it was held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StableWeight {
    /// The frame, with its weight in kg and its raw text.
    pub reading: Reading,
    /// From the run's first frame to its last, in milliseconds.
    pub held_ms: u64,
    /// Frames in the run.
    pub frames: u32,
}

/// An indicator on a link.
#[derive(Debug)]
pub struct Scale<L: Link> {
    link: L,
    protocol: Box<dyn Protocol>,
    framer: Framer,
    hold: Duration,
    polled: Option<(Instant, bool)>,
}

impl Scale<SerialLink> {
    /// Opens the configured port and protocol.
    ///
    /// # Errors
    /// As [`SerialLink::open`].
    pub fn open(config: &ScaleConfig) -> Result<Self, ScaleError> {
        let link = SerialLink::open(config)?;
        Ok(Scale::new(link, config.protocol(), config.hold()))
    }
}

impl<L: Link> Scale<L> {
    /// A scale on `link` speaking `protocol`, taking a weight held for `hold`.
    pub fn new(link: L, protocol: Box<dyn Protocol>, hold: Duration) -> Self {
        let framer = Framer::new(protocol.framing());
        Scale {
            link,
            protocol,
            framer,
            hold,
            polled: None,
        }
    }

    /// The link (to close it, or read its name).
    pub fn link(&self) -> &L {
        &self.link
    }

    /// The next frame, read before `deadline`, or `None` when it passed.
    ///
    /// # Errors
    /// The link's.
    pub fn next_event(&mut self, deadline: Instant) -> Result<Option<Event>, ScaleError> {
        Ok(self.next_frame(deadline, true)?.map(|f| match f {
            Ok(bytes) => match self.protocol.parse(&bytes) {
                Ok(r) => Event::Reading(r),
                Err(x) => Event::Refused(x),
            },
            Err(x) => Event::Refused(x),
        }))
    }

    /// Reads until a weight is held (the rule of [`Stability`]) or `timeout` passed; each frame
    /// is given to `on_event` as it comes.
    ///
    /// # Errors
    /// [`ScaleError::NoAnswer`] when no frame came at all, [`ScaleError::Unreadable`] when none
    /// was the protocol's, [`ScaleError::NotStable`] when frames came but no stable weight, the
    /// link's errors.
    pub fn read_stable(
        &mut self,
        timeout: Duration,
        mut on_event: impl FnMut(&Event),
    ) -> Result<StableWeight, ScaleError> {
        let deadline = Instant::now() + timeout;
        let mut stability = Stability::new(self.hold);
        let mut frames = 0u64;
        let mut readable = 0u64;
        let mut last_refused = None;
        while let Some(ev) = self.next_event(deadline)? {
            frames += 1;
            on_event(&ev);
            match ev {
                Event::Reading(r) => {
                    readable += 1;
                    last_refused = None;
                    if let Some(held) = stability.feed(&r, Instant::now()) {
                        return Ok(StableWeight {
                            reading: r,
                            held_ms: u64::try_from(held.held.as_millis()).unwrap_or(u64::MAX),
                            frames: held.frames,
                        });
                    }
                }
                Event::Refused(x) => {
                    readable += u64::from(!x.is_unreadable());
                    stability.broken();
                    last_refused = Some(x);
                }
            }
        }
        if frames == 0 {
            Err(ScaleError::NoAnswer {
                port: self.link.name().to_owned(),
                seconds: timeout.as_secs(),
                baud: self.link.baud(),
            })
        } else if readable == 0 {
            Err(ScaleError::Unreadable {
                port: self.link.name().to_owned(),
                protocol: self.protocol.kind().code(),
                baud: self.link.baud(),
                seconds: timeout.as_secs(),
                frames,
                last: last_refused,
            })
        } else {
            Err(ScaleError::NotStable {
                seconds: timeout.as_secs(),
                frames,
                last: last_refused,
            })
        }
    }

    /// Sends tare or zero and, when the protocol answers commands, waits up to `timeout` for
    /// its answer (weight frames on their way are skipped).
    ///
    /// # Errors
    /// [`ScaleError::Unsupported`] when the protocol takes no command, [`ScaleError::Refused`]
    /// when the indicator refused it, [`ScaleError::NoAnswer`], the link's errors.
    pub fn command(&mut self, c: Command, timeout: Duration) -> Result<(), ScaleError> {
        let Some(bytes) = self.protocol.command(c) else {
            return Err(ScaleError::Unsupported {
                protocol: self.protocol.kind().code(),
                command: c.name(),
            });
        };
        self.link.write(bytes)?;
        if !self.protocol.answers_commands() {
            return Ok(());
        }
        let deadline = Instant::now() + timeout;
        while let Some(frame) = self.next_frame(deadline, false)? {
            if let Ok(frame) = frame {
                if let Some(answer) = self.protocol.answer(c, &frame) {
                    self.polled = None;
                    return answer.map_err(ScaleError::Refused);
                }
            }
        }
        Err(ScaleError::NoAnswer {
            port: self.link.name().to_owned(),
            seconds: timeout.as_secs(),
            baud: self.link.baud(),
        })
    }

    /// Asks the indicator who it is, when its protocol can ([`Protocol::identify`]): its
    /// identity, or `None` when the protocol gives none or no answer came before `timeout`
    /// (weight frames on their way are skipped).
    ///
    /// # Errors
    /// The link's.
    pub fn identify(&mut self, timeout: Duration) -> Result<Option<String>, ScaleError> {
        let Some(request) = self.protocol.identify() else {
            return Ok(None);
        };
        self.link.write(request)?;
        let deadline = Instant::now() + timeout;
        while let Some(frame) = self.next_frame(deadline, false)? {
            if let Some(id) = frame.ok().and_then(|f| self.protocol.identity(&f)) {
                self.polled = None;
                return Ok(Some(id));
            }
        }
        self.polled = None;
        Ok(None)
    }

    fn next_frame(
        &mut self,
        deadline: Instant,
        poll: bool,
    ) -> Result<Option<Result<Vec<u8>, Refusal>>, ScaleError> {
        let mut buf = [0u8; 256];
        loop {
            if let Some(f) = self.framer.next_frame() {
                if let Some((at, _)) = self.polled {
                    self.polled = Some((at, true));
                }
                return Ok(Some(f));
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(None);
            }
            if let (true, Some(request)) = (poll, self.protocol.poll()) {
                let due = match self.polled {
                    None => true,
                    Some((at, true)) => now.saturating_duration_since(at) >= POLL_EVERY,
                    Some((at, false)) => now.saturating_duration_since(at) >= POLL_RETRY,
                };
                if due {
                    self.link.write(request)?;
                    self.polled = Some((now, false));
                }
            }
            let n = self.link.read(
                &mut buf,
                deadline.saturating_duration_since(now).min(READ_SLICE),
            )?;
            self.framer.push(&buf[..n]);
        }
    }
}
