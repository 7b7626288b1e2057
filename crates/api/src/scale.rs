//! The weighing station's scale, live: one reader thread per open port keeps the latest frame
//! and the stable-weight rule's verdict; the window polls [`Session::scale_reading`] (every
//! ~200 ms) and never waits on the port. « Capturer » ([`Session::scale_capture`]) takes the
//! held weight as a [`ScaleCapture`] kept here under an id; `record_delivery` names the ids,
//! so the window never makes up a weight it says the scale gave.
//!
//! The scale's settings (port, speed, protocol, character format, hold time) are this device's
//! own: a local setting of the store (`scale_config`, JSON of [`ScaleConfig`]), never synced.
//!
//! The reader reopens the port every second after an error (an adapter pulled out and put
//! back), and says what is wrong in the meantime: no port set, a port not found, nothing
//! received, frames that none can read (another protocol or speed).

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sene_domain::{Lang, ScaleCapture};
use sene_scale::{Event, ProtocolKind, Refusal, Scale, ScaleConfig, ScaleError, Stability};

use crate::dto::{
    ScaleCaptureView, ScaleLiveView, ScaleOption, ScaleSettingsRequest, ScaleSettingsView,
};
use crate::error::{ApiError, ErrorCode};
use crate::session::{Session, R};

/// Local setting: this device's scale, JSON of [`ScaleConfig`].
pub const SCALE_SETTING: &str = "scale_config";
/// Without a frame for this long, the scale is said silent.
const SILENCE: Duration = Duration::from_secs(2);
/// Refused-as-unreadable frames in a row before the protocol or speed is said wrong.
const UNREADABLE_RUN: u32 = 6;
/// A stable reading older than this is not captured (the reader fell behind, or the scale went
/// silent).
const CAPTURE_FRESH: Duration = Duration::from_millis(1500);
/// Captures kept for the window to name (the oldest dropped first).
const CAPTURES_KEPT: usize = 500;

/// What the reader saw last.
#[derive(Debug, Clone, Default)]
struct Live {
    /// The last frame read as a weight, when it is the last frame.
    reading: Option<sene_scale::Reading>,
    /// When it came (wall clock, for the evidence), and when (monotonic, for freshness).
    read_at: Option<(DateTime<Utc>, Instant)>,
    /// The stable-weight rule holds for `reading`, since this time.
    stable_since: Option<DateTime<Utc>>,
    /// The last frame was refused (overload, negative, garbled…).
    refusal: Option<Refusal>,
    /// What keeps the scale from being read (no port, nothing received…).
    error: Option<ScaleError>,
    frames: u64,
    /// The indicator's own identity, when its protocol gives one (MT-SICS `I4`).
    indicator: Option<String>,
}

#[derive(Debug, Default)]
struct Inner {
    live: Live,
    captures: HashMap<String, ScaleCapture>,
    order: Vec<String>,
}

#[derive(Debug)]
struct Reader {
    config: ScaleConfig,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Reader {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The session's scale: its reader thread and what it last read.
#[derive(Debug, Default)]
pub struct ScaleStation {
    inner: Arc<Mutex<Inner>>,
    reader: Option<Reader>,
    seq: u64,
}

fn lock(m: &Mutex<Inner>) -> MutexGuard<'_, Inner> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The port as this device names the scale: `COM3 9600 8N1`.
fn identity(c: &ScaleConfig) -> String {
    format!("{} {} {}", c.port, c.baud, c.format)
}

impl ScaleStation {
    /// Starts reading `config` (or keeps reading it when it is already the one read).
    fn open(&mut self, config: &ScaleConfig) {
        if self.reader.as_ref().is_some_and(|r| &r.config == config) {
            return;
        }
        self.close();
        let stop = Arc::new(AtomicBool::new(false));
        let (inner, s, c) = (Arc::clone(&self.inner), Arc::clone(&stop), config.clone());
        let thread = std::thread::Builder::new()
            .name("scale-reader".into())
            .spawn(move || read_loop(&c, &inner, &s))
            .ok();
        self.reader = Some(Reader {
            config: config.clone(),
            stop,
            thread,
        });
    }

    /// Stops the reader (the port is closed) and forgets what it saw.
    fn close(&mut self) {
        self.reader = None;
        lock(&self.inner).live = Live::default();
    }

    fn capture(&mut self, lang: Lang) -> Result<ScaleCaptureView, ApiError> {
        let Some(reader) = &self.reader else {
            return Err(refused(
                lang,
                "balance non ouverte : réglez-la dans Appareil, puis attendez le poids",
                "scale not open: set it in Device, then wait for the weight",
            ));
        };
        let config = reader.config.clone();
        let mut g = lock(&self.inner);
        let live = g.live.clone();
        if let Some(e) = &live.error {
            return Err(ApiError::new(ErrorCode::Scale, e.message(lang)));
        }
        if let Some(r) = &live.refusal {
            return Err(ApiError::new(ErrorCode::Scale, r.message(lang)));
        }
        let (Some(reading), Some((at, when))) = (&live.reading, live.read_at) else {
            return Err(refused(
                lang,
                "aucun poids lu : attendez que la balance envoie un poids",
                "no weight read yet: wait for the scale to send a weight",
            ));
        };
        if when.elapsed() > CAPTURE_FRESH {
            return Err(refused(
                lang,
                "la balance ne répond plus : vérifiez le câble",
                "the scale stopped answering: check the cable",
            ));
        }
        if reading.gross.is_zero() {
            return Err(refused(
                lang,
                "plateau vide : posez la charge et attendez le poids stable",
                "empty platform: put the load on and wait for a stable weight",
            ));
        }
        if live.stable_since.is_none() {
            let kg = reading.gross.normalize().to_string();
            return Err(ApiError::new(
                ErrorCode::Scale,
                sene_domain::DomainError::CaptureNotStable { kg }.message(lang),
            ));
        }
        self.seq += 1;
        let id = format!("{}-{}", sene_domain::DeliveryId::default(), self.seq);
        let capture = ScaleCapture {
            kg: reading.gross.normalize(),
            stable: true,
            at,
            raw: reading.raw.clone(),
            protocol: config.protocol.code().to_owned(),
            port: identity(&config),
            indicator: live.indicator.clone(),
        };
        let view = capture_view(&id, &capture);
        g.order.push(id.clone());
        g.captures.insert(id, capture);
        if g.order.len() > CAPTURES_KEPT {
            let old = g.order.remove(0);
            g.captures.remove(&old);
        }
        Ok(view)
    }

    /// The captures named, in order.
    pub(crate) fn captures(&self, ids: &[String], lang: Lang) -> R<Vec<ScaleCapture>> {
        let g = lock(&self.inner);
        ids.iter()
            .map(|id| {
                g.captures.get(id).cloned().ok_or_else(|| {
                    refused(
                        lang,
                        "pesée inconnue (l'application a été verrouillée depuis ?) : capturez le poids à nouveau",
                        "unknown weighing (was the app locked since?): capture the weight again",
                    )
                })
            })
            .collect()
    }

    fn live_view(&self, lang: Lang) -> ScaleLiveView {
        let config = self.reader.as_ref().map(|r| &r.config);
        let g = lock(&self.inner);
        let l = &g.live;
        let ms = |t: DateTime<Utc>| t.timestamp_millis().to_string();
        ScaleLiveView {
            state: match (config, &l.error, &l.reading) {
                (None, _, _) => "off",
                (Some(_), Some(_), _) => "error",
                (Some(_), None, Some(_)) => "reading",
                (Some(_), None, None) => "waiting",
            }
            .into(),
            kg: l.reading.as_ref().map(|r| r.gross.normalize().to_string()),
            stable: l.stable_since.is_some() && l.reading.is_some(),
            moving: l.reading.as_ref().is_some_and(|r| r.stable == Some(false)),
            refusal: l.refusal.as_ref().map(|r| r.message(lang)),
            refusal_code: l.refusal.as_ref().map(|r| r.code().to_owned()),
            error: l.error.as_ref().map(|e| e.message(lang)),
            error_code: l.error.as_ref().map(|e| e.code().to_owned()),
            port: config.map(|c| c.port.clone()).unwrap_or_default(),
            protocol: config
                .map(|c| c.protocol.code().to_owned())
                .unwrap_or_default(),
            frames: u32::try_from(l.frames).unwrap_or(u32::MAX),
            read_at_ms: l.read_at.map(|(t, _)| ms(t)),
            stable_since_ms: l.stable_since.map(ms),
        }
    }
}

fn refused(lang: Lang, fr: &str, en: &str) -> ApiError {
    ApiError::new(ErrorCode::Scale, if lang == Lang::En { en } else { fr })
}

fn capture_view(id: &str, c: &ScaleCapture) -> ScaleCaptureView {
    ScaleCaptureView {
        id: id.to_owned(),
        kg: c.kg.to_string(),
        stable: c.stable,
        at: c.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        raw: c.raw.clone(),
        protocol: c.protocol.clone(),
        port: c.port.clone(),
    }
}

/// The reader thread: opens the port, reads frames, keeps the latest; reopens after an error.
fn read_loop(config: &ScaleConfig, inner: &Mutex<Inner>, stop: &AtomicBool) {
    let set_error = |e: ScaleError| {
        let mut g = lock(inner);
        g.live.error = Some(e);
        g.live.reading = None;
        g.live.stable_since = None;
    };
    while !stop.load(Ordering::Relaxed) {
        let mut scale = match Scale::open(config) {
            Ok(s) => s,
            Err(e) => {
                set_error(e);
                pause(stop, Duration::from_secs(1));
                continue;
            }
        };
        // who the indicator is, when its protocol says (a silent one: nothing, the reading
        // below says so)
        match scale.identify(Duration::from_millis(800)) {
            Ok(id) => lock(inner).live.indicator = id,
            Err(e) => {
                set_error(e);
                pause(stop, Duration::from_secs(1));
                continue;
            }
        }
        let opened = Instant::now();
        let mut last_frame: Option<Instant> = None;
        let mut stability = Stability::new(config.hold());
        let mut unreadable = 0u32;
        let mut readable_seen = false;
        while !stop.load(Ordering::Relaxed) {
            let ev = match scale.next_event(Instant::now() + Duration::from_millis(100)) {
                Ok(ev) => ev,
                Err(e) => {
                    set_error(e);
                    break;
                }
            };
            let now = Instant::now();
            let mut g = lock(inner);
            match ev {
                None => {
                    if now.saturating_duration_since(last_frame.unwrap_or(opened)) > SILENCE {
                        g.live.error = Some(ScaleError::NoAnswer {
                            port: config.port.clone(),
                            seconds: SILENCE.as_secs(),
                            baud: config.baud,
                        });
                        g.live.reading = None;
                        g.live.stable_since = None;
                        stability.broken();
                    }
                }
                Some(Event::Reading(r)) => {
                    last_frame = Some(now);
                    unreadable = 0;
                    readable_seen = true;
                    let held = stability.feed(&r, now).is_some();
                    let at = Utc::now();
                    let same = g.live.reading.as_ref().is_some_and(|p| p.gross == r.gross);
                    g.live.stable_since = match (held, g.live.stable_since) {
                        (true, Some(t)) if same => Some(t),
                        (true, _) => Some(at),
                        (false, _) => None,
                    };
                    g.live.reading = Some(r);
                    g.live.read_at = Some((at, now));
                    g.live.refusal = None;
                    g.live.error = None;
                    g.live.frames += 1;
                }
                Some(Event::Refused(x)) => {
                    last_frame = Some(now);
                    stability.broken();
                    g.live.frames += 1;
                    g.live.stable_since = None;
                    if x.is_unreadable() {
                        unreadable += 1;
                        if unreadable >= UNREADABLE_RUN && !readable_seen {
                            g.live.error = Some(ScaleError::Unreadable {
                                port: config.port.clone(),
                                protocol: config.protocol.code(),
                                baud: config.baud,
                                seconds: now.saturating_duration_since(opened).as_secs(),
                                frames: u64::from(unreadable),
                                last: Some(x.clone()),
                            });
                            g.live.reading = None;
                        }
                    } else {
                        // overload, negative, busy: the weight shown is not one
                        g.live.reading = None;
                        g.live.error = None;
                    }
                    g.live.refusal = Some(x);
                }
            }
        }
        if !stop.load(Ordering::Relaxed) {
            pause(stop, Duration::from_secs(1));
        }
    }
}

fn pause(stop: &AtomicBool, d: Duration) {
    let end = Instant::now() + d;
    while !stop.load(Ordering::Relaxed) && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(50));
    }
}

impl Session {
    fn scale_config(&self) -> R<Option<ScaleConfig>> {
        let raw = self
            .ledger
            .setting(SCALE_SETTING)
            .map_err(|e| self.app(&e))?;
        Ok(raw.and_then(|s| serde_json::from_str(&s).ok()))
    }

    fn settings_view(&self, c: Option<&ScaleConfig>) -> ScaleSettingsView {
        ScaleSettingsView {
            port: c.map(|c| c.port.clone()).unwrap_or_default(),
            protocol: c.map(|c| c.protocol.code().to_owned()).unwrap_or_default(),
            baud: c.map_or(9600, |c| c.baud).to_string(),
            format: c.map_or_else(|| "8N1".to_owned(), |c| c.format.to_string()),
            stable_ms: c.map_or(1500, |c| c.stable_ms).to_string(),
            configured: c.is_some(),
            ports: sene_scale::link::available_ports(),
            protocols: ProtocolKind::ALL
                .iter()
                .map(|p| ScaleOption {
                    code: p.code().to_owned(),
                    label: protocol_label(*p).to_owned(),
                })
                .collect(),
            bauds: sene_scale::config::BAUDS
                .iter()
                .map(u32::to_string)
                .collect(),
        }
    }

    /// `scale_settings`: this device's scale, the ports seen, the protocols and speeds.
    ///
    /// # Errors
    /// Store errors.
    pub fn scale_settings(&self) -> R<ScaleSettingsView> {
        let c = self.scale_config()?;
        Ok(self.settings_view(c.as_ref()))
    }

    /// `set_scale_settings`: checks and keeps this device's scale (a local setting), and starts
    /// reading it (« Tester la balance » then polls [`Session::scale_reading`]).
    ///
    /// # Errors
    /// A speed, format, hold time or protocol that is not valid; no port.
    pub fn set_scale_settings(&mut self, req: &ScaleSettingsRequest) -> R<ScaleSettingsView> {
        let lang = self.lang;
        let scale_err = |e: ScaleError| {
            let mut a = ApiError::new(ErrorCode::InvalidValue, e.message(lang));
            a.field = Some(
                match e {
                    ScaleError::NoPort { .. } => "port",
                    ScaleError::UnknownProtocol { .. } => "protocol",
                    ScaleError::InvalidBaud { .. } => "baud",
                    ScaleError::InvalidFormat { .. } => "format",
                    _ => "stable_ms",
                }
                .to_owned(),
            );
            a
        };
        let protocol = ProtocolKind::from_str(req.protocol.trim()).map_err(scale_err)?;
        let mut c = ScaleConfig::new(req.port.trim(), protocol);
        c.baud = sene_scale::config::parse_baud(&req.baud).map_err(scale_err)?;
        if !req.format.trim().is_empty() {
            c.format = req.format.parse().map_err(scale_err)?;
        }
        if !req.stable_ms.trim().is_empty() {
            c.stable_ms = req.stable_ms.trim().parse().map_err(|_| {
                scale_err(ScaleError::InvalidSetting {
                    field: "stable_ms",
                    given: req.stable_ms.clone(),
                    min: sene_scale::config::STABLE_MS.0,
                    max: sene_scale::config::STABLE_MS.1,
                })
            })?;
        }
        c.validate().map_err(scale_err)?;
        let json = serde_json::to_string(&c)
            .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?;
        self.ledger
            .set_setting(SCALE_SETTING, &json)
            .map_err(|e| self.app(&e))?;
        self.scale.open(&c);
        Ok(self.settings_view(Some(&c)))
    }

    /// `scale_reading`: the scale's latest frame and whether it is held stable; opens the
    /// port of this device's scale on the first call (the reader then runs until
    /// [`Session::scale_close`] or the session ends). Never waits on the port.
    ///
    /// # Errors
    /// Store errors.
    pub fn scale_reading(&mut self) -> R<ScaleLiveView> {
        match self.scale_config()? {
            Some(c) => self.scale.open(&c),
            None => self.scale.close(),
        }
        Ok(self.scale.live_view(self.lang))
    }

    /// `scale_capture`: « Capturer »: the held stable weight, kept under an id for
    /// `record_delivery`.
    ///
    /// # Errors
    /// [`ErrorCode::Scale`]: no scale open, no weight, a weight not held stable, an overload or
    /// a negative weight, a scale that stopped answering.
    pub fn scale_capture(&mut self) -> R<ScaleCaptureView> {
        let lang = self.lang;
        self.scale.capture(lang)
    }

    /// `scale_close`: closes the port (leaving the weighing screen).
    ///
    /// # Errors
    /// None.
    pub fn scale_close(&mut self) -> R<()> {
        self.scale.close();
        Ok(())
    }
}

fn protocol_label(p: ProtocolKind) -> &'static str {
    match p {
        ProtocolKind::MtSics => "Mettler-Toledo MT-SICS",
        ProtocolKind::And => "A&D (ST/US/OL, GS/NT)",
        ProtocolKind::Xk3190 => "Yaohua XK3190-A9",
    }
}
