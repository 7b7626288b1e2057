//! The serial port behind a small trait: read what came within a timeout, write a command.
//! [`SerialLink`] opens a real port (or takes one end of a pseudo-terminal) with `serial2`.
//!
//! Port names are what the system calls them: `/dev/ttyUSB0` (Linux), `COM3` (Windows).
//! [`available_ports`] lists the ports `serial2` finds without libudev: on Linux the entries of
//! `/sys/class/tty` that have a device node (USB adapters and the built-in `ttyS*`; pseudo
//! terminals are not listed), on Windows the registry's `SERIALCOMM` key.

use std::io;
use std::time::Duration;

use serial2::{CharSize, FlowControl, SerialPort, Settings, StopBits};

use crate::config::{CharFormat, Parity, ScaleConfig};
use crate::error::ScaleError;

/// A two-way byte link to an indicator.
pub trait Link: Send {
    /// Reads what has come into `buf`, waiting at most `timeout`; `Ok(0)` when nothing came.
    ///
    /// # Errors
    /// [`ScaleError::Disconnected`] when the port went away, [`ScaleError::Io`].
    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> Result<usize, ScaleError>;

    /// Writes a command, whole.
    ///
    /// # Errors
    /// [`ScaleError::Disconnected`], [`ScaleError::Io`].
    fn write(&mut self, bytes: &[u8]) -> Result<(), ScaleError>;

    /// The port's name, for messages.
    fn name(&self) -> &str;

    /// Its speed in baud, for messages.
    fn baud(&self) -> u32;
}

/// A serial port opened with `serial2`.
#[derive(Debug)]
pub struct SerialLink {
    port: SerialPort,
    name: String,
    baud: u32,
}

impl SerialLink {
    /// Opens the configured port: speed and character format set, raw mode (no echo, no line
    /// editing, no CR/LF translation), no flow control.
    ///
    /// # Errors
    /// [`ScaleError::PortNotFound`] (with the ports seen), [`ScaleError::PortDenied`],
    /// [`ScaleError::Io`].
    pub fn open(config: &ScaleConfig) -> Result<Self, ScaleError> {
        config.validate()?;
        let format = config.format;
        let baud = config.baud;
        let port = SerialPort::open(&config.port, move |s: Settings| configure(s, baud, format))
            .map_err(|e| open_error(&config.port, &e))?;
        Ok(SerialLink {
            port,
            name: config.port.clone(),
            baud,
        })
    }

    /// A port already open (one end of a pseudo-terminal pair, in the emulator's tests).
    #[must_use]
    pub fn from_port(port: SerialPort, name: impl Into<String>, baud: u32) -> Self {
        SerialLink {
            port,
            name: name.into(),
            baud,
        }
    }

    fn io(&self, e: &io::Error) -> ScaleError {
        if matches!(
            e.kind(),
            io::ErrorKind::BrokenPipe | io::ErrorKind::UnexpectedEof | io::ErrorKind::NotConnected
        ) || is_hangup(e)
        {
            ScaleError::Disconnected {
                port: self.name.clone(),
            }
        } else {
            ScaleError::Io {
                port: self.name.clone(),
                detail: e.to_string(),
            }
        }
    }
}

impl Link for SerialLink {
    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> Result<usize, ScaleError> {
        self.port
            .set_read_timeout(timeout.max(Duration::from_millis(1)))
            .map_err(|e| self.io(&e))?;
        match self.port.read(buf) {
            Ok(0) if !buf.is_empty() => Err(ScaleError::Disconnected {
                port: self.name.clone(),
            }),
            Ok(n) => Ok(n),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::TimedOut
                        | io::ErrorKind::WouldBlock
                        | io::ErrorKind::Interrupted
                ) =>
            {
                Ok(0)
            }
            Err(e) => Err(self.io(&e)),
        }
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), ScaleError> {
        self.port.write_all(bytes).map_err(|e| self.io(&e))
    }

    fn name(&self) -> &str {
        &self.name
    }

    fn baud(&self) -> u32 {
        self.baud
    }
}

fn configure(mut s: Settings, baud: u32, format: CharFormat) -> io::Result<Settings> {
    s.set_raw();
    s.set_baud_rate(baud)?;
    s.set_char_size(if format.data_bits == 7 {
        CharSize::Bits7
    } else {
        CharSize::Bits8
    });
    s.set_parity(match format.parity {
        Parity::None => serial2::Parity::None,
        Parity::Even => serial2::Parity::Even,
        Parity::Odd => serial2::Parity::Odd,
    });
    s.set_stop_bits(if format.stop_bits == 2 {
        StopBits::Two
    } else {
        StopBits::One
    });
    s.set_flow_control(FlowControl::None);
    Ok(s)
}

fn open_error(port: &str, e: &io::Error) -> ScaleError {
    match e.kind() {
        io::ErrorKind::NotFound => ScaleError::PortNotFound {
            port: port.to_owned(),
            available: available_ports(),
        },
        io::ErrorKind::PermissionDenied | io::ErrorKind::ResourceBusy => ScaleError::PortDenied {
            port: port.to_owned(),
        },
        _ => ScaleError::Io {
            port: port.to_owned(),
            detail: e.to_string(),
        },
    }
}

/// The other end of a pseudo-terminal closed (EIO on Linux), or the adapter was pulled out.
fn is_hangup(e: &io::Error) -> bool {
    #[cfg(unix)]
    {
        e.raw_os_error() == Some(5) // EIO
    }
    #[cfg(not(unix))]
    {
        let _ = e;
        false
    }
}

/// The serial ports this computer has, as names to open (empty when they cannot be listed).
#[must_use]
pub fn available_ports() -> Vec<String> {
    let mut ports: Vec<String> = SerialPort::available_ports()
        .unwrap_or_default()
        .into_iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    ports.sort();
    ports
}
