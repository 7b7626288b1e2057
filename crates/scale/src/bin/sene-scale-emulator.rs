//! `sene-scale-emulator`: an indicator on a pseudo-terminal, to try the weighing station
//! without a scale (Linux).
//!
//! ```text
//! sene-scale-emulator --protocol and|mt-sics|xk3190 [--weight 50.2] [--unit kg] [--decimals 2]
//!                     [--noise N] [--unstable] [--period-ms 100]
//! ```
//!
//! It prints the port to give `sene scale read --port`, then reads commands on its standard
//! input, one a line: a number (the new load), `stable`, `unstable`, `noise N`, `overload`,
//! `ok` (no overload), `garble`, `cut`, `quit`.

#[cfg(unix)]
fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sene-scale-emulator: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(not(unix))]
fn main() -> std::process::ExitCode {
    eprintln!("sene-scale-emulator: Unix only (a pseudo-terminal pair)");
    std::process::ExitCode::FAILURE
}

#[cfg(unix)]
fn run() -> Result<(), String> {
    use std::io::BufRead;
    use std::str::FromStr;
    use std::time::Duration;

    use rust_decimal::Decimal;
    use sene_scale::emulator::{Emulator, Fault, ScaleState};
    use sene_scale::{ProtocolKind, Unit};

    let mut protocol = None;
    let mut state = ScaleState {
        period: Duration::from_millis(100),
        ..ScaleState::default()
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or(format!("{a}: value missing"));
        match a.as_str() {
            "--protocol" => {
                protocol = Some(ProtocolKind::from_str(&value()?).map_err(|e| e.to_string())?);
            }
            "--weight" => state.weight = Decimal::from_str(&value()?).map_err(|e| e.to_string())?,
            "--unit" => state.unit = Unit::from_str(&value()?).map_err(|u| format!("unit {u}"))?,
            "--decimals" => state.decimals = value()?.parse().map_err(|_| "--decimals")?,
            "--noise" => state.noise = value()?.parse().map_err(|_| "--noise")?,
            "--period-ms" => {
                state.period = Duration::from_millis(value()?.parse().map_err(|_| "--period-ms")?);
            }
            "--unstable" => state.unstable = true,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let protocol = protocol.ok_or("--protocol mt-sics|and|xk3190 is required")?;
    let (emulator, _host) = Emulator::start(protocol, state).map_err(|e| e.to_string())?;
    match emulator.path() {
        Some(p) => println!("{}", p.display()),
        None => return Err("the pseudo-terminal's name is only read on Linux".into()),
    }
    for line in std::io::stdin().lock().lines() {
        let line = line.map_err(|e| e.to_string())?;
        let mut words = line.split_whitespace();
        match (words.next(), words.next()) {
            (Some("quit"), _) => break,
            (Some("stable"), _) => emulator.set(|s| s.unstable = false),
            (Some("unstable"), _) => emulator.set(|s| s.unstable = true),
            (Some("overload"), _) => emulator.set(|s| s.overload = true),
            (Some("ok"), _) => emulator.set(|s| s.overload = false),
            (Some("garble"), _) => emulator.inject(Fault::Garble),
            (Some("cut"), _) => emulator.inject(Fault::Cut),
            (Some("noise"), Some(n)) => match n.parse() {
                Ok(n) => emulator.set(|s| s.noise = n),
                Err(_) => eprintln!("noise N"),
            },
            (Some(w), None) => match Decimal::from_str(w) {
                Ok(w) => emulator.set(|s| s.weight = w),
                Err(_) => eprintln!("unknown command {w}"),
            },
            _ => eprintln!("unknown command {line}"),
        }
    }
    Ok(())
}
