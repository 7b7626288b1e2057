//! What a scale or its port can refuse, each with a stable code and a message a person at the
//! weighing station can act on, in French (the default, used by `Display`) and in English.
//!
//! A [`Refusal`] is one frame that is not a weight (the reading goes on with the next frame); a
//! [`ScaleError`] ends the reading (no port, no answer, no stable weight in time).

use std::fmt::Write as _;

use rust_decimal::Decimal;
use sene_domain::Lang;
use serde::Serialize;

/// A frame that is not taken as a weight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "code", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Refusal {
    /// Not the protocol's frame: a lost or changed character, noise on the line.
    #[error("trame illisible, ignorée : {raw}")]
    Garbled { raw: String },
    /// A frame cut short (its start or its end lost), or too long to be one.
    #[error("trame incomplète, ignorée : {raw}")]
    Partial { raw: String },
    /// The frame's check characters do not match its content.
    #[error("trame altérée (contrôle faux), ignorée : {raw}")]
    Checksum { raw: String },
    /// The indicator says it is overloaded.
    #[error("balance en surcharge : retirez du poids ({raw})")]
    Overload { raw: String },
    /// The indicator says it is below zero (underload).
    #[error("balance sous zéro : remettez-la à zéro ({raw})")]
    Underload { raw: String },
    /// A negative weight.
    #[error("poids négatif {kg} kg refusé : remettez la balance à zéro ({raw})")]
    Negative { raw: String, kg: Decimal },
    /// A weight above the capacity set for this scale.
    #[error("{kg} kg dépasse la portée de la balance ({capacity} kg) ({raw})")]
    AboveCapacity {
        raw: String,
        kg: Decimal,
        capacity: Decimal,
    },
    /// A unit Sene does not convert.
    #[error("unité « {unit} » inconnue (g, kg, t, lb) ({raw})")]
    UnknownUnit { raw: String, unit: String },
    /// The indicator is busy (taring, zeroing) or could not settle: it sent no weight.
    #[error("balance occupée, pas de poids ({raw})")]
    Busy { raw: String },
    /// The indicator refused the command Sene sent (syntax, transmission or logical error).
    #[error("la balance a refusé la commande ({raw})")]
    CommandRefused { raw: String },
    /// A well-formed frame that carries no gross or net weight (a tare value, a count).
    #[error("trame sans poids, ignorée : {raw}")]
    NotAWeight { raw: String },
}

impl Refusal {
    /// Whether the frame is not the protocol's at all (garbled, cut, wrong check, unknown unit),
    /// as when the protocol, speed or format set is not the indicator's.
    #[must_use]
    pub fn is_unreadable(&self) -> bool {
        matches!(
            self,
            Refusal::Garbled { .. }
                | Refusal::Partial { .. }
                | Refusal::Checksum { .. }
                | Refusal::UnknownUnit { .. }
        )
    }

    /// The stable code for scripts.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::Garbled { .. } => "garbled",
            Refusal::Partial { .. } => "partial",
            Refusal::Checksum { .. } => "checksum",
            Refusal::Overload { .. } => "overload",
            Refusal::Underload { .. } => "underload",
            Refusal::Negative { .. } => "negative",
            Refusal::AboveCapacity { .. } => "above_capacity",
            Refusal::UnknownUnit { .. } => "unknown_unit",
            Refusal::Busy { .. } => "busy",
            Refusal::CommandRefused { .. } => "command_refused",
            Refusal::NotAWeight { .. } => "not_a_weight",
        }
    }

    /// The frame as received (control bytes escaped).
    #[must_use]
    pub fn raw(&self) -> &str {
        match self {
            Refusal::Garbled { raw }
            | Refusal::Partial { raw }
            | Refusal::Checksum { raw }
            | Refusal::Overload { raw }
            | Refusal::Underload { raw }
            | Refusal::Negative { raw, .. }
            | Refusal::AboveCapacity { raw, .. }
            | Refusal::UnknownUnit { raw, .. }
            | Refusal::Busy { raw }
            | Refusal::CommandRefused { raw }
            | Refusal::NotAWeight { raw } => raw,
        }
    }

    /// The message in the given language.
    #[must_use]
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Fr => self.to_string(),
            Lang::En => match self {
                Refusal::Garbled { raw } => format!("unreadable frame, skipped: {raw}"),
                Refusal::Partial { raw } => format!("incomplete frame, skipped: {raw}"),
                Refusal::Checksum { raw } => {
                    format!("corrupted frame (wrong check), skipped: {raw}")
                }
                Refusal::Overload { raw } => format!("scale overloaded: remove weight ({raw})"),
                Refusal::Underload { raw } => {
                    format!("scale below zero: zero it again ({raw})")
                }
                Refusal::Negative { raw, kg } => {
                    format!("negative weight {kg} kg refused: zero the scale ({raw})")
                }
                Refusal::AboveCapacity { raw, kg, capacity } => {
                    format!("{kg} kg is above the scale's capacity ({capacity} kg) ({raw})")
                }
                Refusal::UnknownUnit { raw, unit } => {
                    format!("unknown unit \"{unit}\" (g, kg, t, lb) ({raw})")
                }
                Refusal::Busy { raw } => format!("scale busy, no weight ({raw})"),
                Refusal::CommandRefused { raw } => {
                    format!("the scale refused the command ({raw})")
                }
                Refusal::NotAWeight { raw } => format!("frame without a weight, skipped: {raw}"),
            },
        }
    }
}

/// Everything that ends a reading.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScaleError {
    /// A protocol name Sene does not know.
    #[error("protocole de balance « {given} » inconnu : mt-sics, and ou xk3190")]
    UnknownProtocol { given: String },
    /// A speed that is not one of the usual serial speeds.
    #[error("vitesse « {given} » invalide : 1200, 2400, 4800, 9600, 19200, 38400, 57600 ou 115200 bauds")]
    InvalidBaud { given: String },
    /// A character format that is not data bits, parity and stop bits (`8N1`, `7E1`…).
    #[error("format « {given} » invalide : 7 ou 8 bits, parité N, E ou O, 1 ou 2 bits d'arrêt (8N1, 7E1…)")]
    InvalidFormat { given: String },
    /// A hold time or timeout outside its range.
    #[error("{field} : « {given} » invalide ({min} à {max})")]
    InvalidSetting {
        field: &'static str,
        given: String,
        min: u64,
        max: u64,
    },
    /// No port was named.
    #[error("aucun port série indiqué{}", ports_fr(available))]
    NoPort { available: Vec<String> },
    /// The port does not exist (unplugged adapter, wrong name).
    #[error(
        "port série {port} introuvable : vérifiez le câble et le nom du port{}",
        ports_fr(available)
    )]
    PortNotFound {
        port: String,
        available: Vec<String>,
    },
    /// The port exists but this user may not open it, or another program holds it.
    #[error("port série {port} : accès refusé (droits, ou un autre programme l'utilise)")]
    PortDenied { port: String },
    /// Any other failure of the port.
    #[error("port série {port} : {detail}")]
    Io { port: String, detail: String },
    /// The port closed under us (adapter pulled out).
    #[error("port série {port} fermé : la balance est-elle toujours branchée\u{a0}?")]
    Disconnected { port: String },
    /// Nothing readable came from the scale in time.
    #[error("aucune réponse de la balance sur {port} en {seconds} s : vérifiez le câble, la vitesse ({baud} bauds) et le protocole")]
    NoAnswer {
        port: String,
        seconds: u64,
        baud: u32,
    },
    /// Frames came, but no stable weight in time.
    #[error("pas de poids stable en {seconds} s ({frames} trames lues){}", last_fr(last.as_ref()))]
    NotStable {
        seconds: u64,
        frames: u64,
        last: Option<Refusal>,
    },
    /// Frames came, but none could be read: another protocol, speed or character format.
    #[error("{frames} trames reçues sur {port} en {seconds} s, aucune lisible : vérifiez le protocole ({protocol}), la vitesse ({baud} bauds) et le format{}", last_fr(last.as_ref()))]
    Unreadable {
        port: String,
        protocol: &'static str,
        baud: u32,
        seconds: u64,
        frames: u64,
        last: Option<Refusal>,
    },
    /// The indicator answered a tare or zero command with a refusal.
    #[error("{0}")]
    Refused(Refusal),
    /// The protocol has no such command (XK3190-A9 continuous output takes none).
    #[error("le protocole {protocol} ne permet pas la commande « {command} » depuis l'ordinateur : utilisez la touche de l'indicateur")]
    Unsupported {
        protocol: &'static str,
        command: &'static str,
    },
}

impl ScaleError {
    /// The stable code for scripts.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            ScaleError::UnknownProtocol { .. } => "unknown_protocol",
            ScaleError::InvalidBaud { .. } => "invalid_baud",
            ScaleError::InvalidFormat { .. } => "invalid_format",
            ScaleError::InvalidSetting { .. } => "invalid_setting",
            ScaleError::NoPort { .. } => "no_port",
            ScaleError::PortNotFound { .. } => "port_not_found",
            ScaleError::PortDenied { .. } => "port_denied",
            ScaleError::Io { .. } => "port_error",
            ScaleError::Disconnected { .. } => "port_closed",
            ScaleError::NoAnswer { .. } => "no_answer",
            ScaleError::NotStable { .. } => "not_stable",
            ScaleError::Unreadable { .. } => "unreadable",
            ScaleError::Refused(r) => r.code(),
            ScaleError::Unsupported { .. } => "unsupported_command",
        }
    }

    /// The message in the given language.
    #[must_use]
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Fr => self.to_string(),
            Lang::En => self.message_en(),
        }
    }

    fn message_en(&self) -> String {
        use ScaleError as E;
        match self {
            E::UnknownProtocol { given } => {
                format!("unknown scale protocol \"{given}\": mt-sics, and or xk3190")
            }
            E::InvalidBaud { given } => format!(
                "invalid speed \"{given}\": 1200, 2400, 4800, 9600, 19200, 38400, 57600 or 115200 baud"
            ),
            E::InvalidFormat { given } => format!(
                "invalid format \"{given}\": 7 or 8 bits, parity N, E or O, 1 or 2 stop bits (8N1, 7E1…)"
            ),
            E::InvalidSetting {
                field,
                given,
                min,
                max,
            } => format!("{field}: \"{given}\" is invalid ({min} to {max})"),
            E::NoPort { available } => format!("no serial port given{}", ports_en(available)),
            E::PortNotFound { port, available } => format!(
                "serial port {port} not found: check the cable and the port's name{}",
                ports_en(available)
            ),
            E::PortDenied { port } => format!(
                "serial port {port}: access denied (permissions, or another program uses it)"
            ),
            E::Io { port, detail } => format!("serial port {port}: {detail}"),
            E::Disconnected { port } => {
                format!("serial port {port} closed: is the scale still plugged in?")
            }
            E::NoAnswer {
                port,
                seconds,
                baud,
            } => format!(
                "no answer from the scale on {port} in {seconds} s: check the cable, the speed ({baud} baud) and the protocol"
            ),
            E::NotStable {
                seconds,
                frames,
                last,
            } => format!(
                "no stable weight in {seconds} s ({frames} frames read){}",
                last.as_ref()
                    .map(|r| format!("; last refused: {}", r.message(Lang::En)))
                    .unwrap_or_default()
            ),
            E::Unreadable {
                port,
                protocol,
                baud,
                seconds,
                frames,
                last,
            } => format!(
                "{frames} frames received on {port} in {seconds} s, none readable: check the protocol ({protocol}), the speed ({baud} baud) and the format{}",
                last.as_ref()
                    .map(|r| format!("; last refused: {}", r.message(Lang::En)))
                    .unwrap_or_default()
            ),
            E::Refused(r) => r.message(Lang::En),
            E::Unsupported { protocol, command } => format!(
                "the {protocol} protocol does not take the \"{command}\" command from the computer: use the indicator's key"
            ),
        }
    }
}

fn ports_fr(available: &[String]) -> String {
    if available.is_empty() {
        " (aucun port série vu sur cet ordinateur)".into()
    } else {
        format!(" (ports vus : {})", available.join(", "))
    }
}

fn ports_en(available: &[String]) -> String {
    if available.is_empty() {
        " (no serial port seen on this computer)".into()
    } else {
        format!(" (ports seen: {})", available.join(", "))
    }
}

fn last_fr(last: Option<&Refusal>) -> String {
    let mut s = String::new();
    if let Some(r) = last {
        let _ = write!(s, " ; dernière trame refusée : {r}");
    }
    s
}
