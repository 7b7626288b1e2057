//! The hub's scheduled backups (`sene hub serve --backup-dir DIR --backup-every 1h`): a thread
//! with its own connection to the store copies it every period while the hub serves (the copy
//! is one read transaction: merges go on), checks the copy, logs it, and applies the retention
//! (the newest backup of each of the last 24 hours, 14 days and 12 months).

use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

use sene_app::Ledger;
use sene_store::backup;
use sene_store::DataKey;

use crate::HubError;

/// Backups kept: the newest of each of the last `HOURS` hours, `DAYS` days, `MONTHS` months.
pub const HOURS: usize = 24;
/// See [`HOURS`].
pub const DAYS: usize = 14;
/// See [`HOURS`].
pub const MONTHS: usize = 12;

/// Where and how often the hub backs up its store.
#[derive(Debug, Clone)]
pub struct BackupSchedule {
    pub dir: PathBuf,
    pub every: Duration,
}

/// The period of the hub's backups unless told otherwise: with the standby's pull every few
/// minutes, the office's own records are never more than about 35 minutes behind on a second
/// machine (the recovery point objective is an hour).
pub const DEFAULT_EVERY: Duration = Duration::from_secs(30 * 60);

impl BackupSchedule {
    /// The default: every [`DEFAULT_EVERY`] into a folder `sauvegardes` beside the store.
    #[must_use]
    pub fn default_for(store: &std::path::Path) -> BackupSchedule {
        BackupSchedule {
            dir: store
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or_else(|| std::path::Path::new("."))
                .join("sauvegardes"),
            every: DEFAULT_EVERY,
        }
    }
}

/// Reads a period such as `1h`, `30m`, `90s`, `1d` (`j` for days too): `None` for anything
/// else, and for less than a minute (the caller names its option in its message).
#[must_use]
pub fn parse_period(text: &str) -> Option<Duration> {
    let t = text.trim();
    let (n, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit())?);
    let n: u64 = n.parse().ok()?;
    let secs = match unit {
        "s" => n,
        "m" | "min" => n.checked_mul(60)?,
        "h" => n.checked_mul(3600)?,
        "d" | "j" => n.checked_mul(86_400)?,
        _ => return None,
    };
    (secs >= 60).then(|| Duration::from_secs(secs))
}

/// One scheduled turn: a backup of `ledger`'s store into the schedule's folder, checked, then
/// the retention applied. Returns the file written and the backups deleted.
///
/// # Errors
/// The backup's or the check's error (nothing is deleted then).
pub fn backup_once(
    ledger: &Ledger,
    key: Option<&DataKey>,
    dir: &std::path::Path,
) -> Result<(PathBuf, Vec<PathBuf>), backup::BackupError> {
    let made = ledger.backup_into(dir, key)?;
    backup::verify(&made.file, key)?;
    let all = backup::list(dir)?;
    let drop = backup::to_prune(&all, HOURS, DAYS, MONTHS);
    for f in &drop {
        backup::remove(f)?;
    }
    Ok((made.file, drop))
}

/// The backup thread; it stops when dropped.
#[derive(Debug)]
pub struct Backups {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Backups {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Starts the scheduled backups of the store `ledger` holds (its own connection, not the
/// hub's writer): the first at once, then every period. Each is logged; a failed one is
/// logged as an error and tried again at the next turn.
///
/// # Errors
/// [`HubError::Server`] when the thread cannot start.
pub fn start(
    ledger: Ledger,
    key: Option<DataKey>,
    schedule: BackupSchedule,
) -> Result<Backups, HubError> {
    let (stop, stopped) = mpsc::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("sene-backups".into())
        .spawn(move || {
            // the store's version when the last good backup began, and that backup: a turn
            // where no other connection committed since is skipped (a quiet night makes no
            // copies; the newest one is still current)
            let mut last: Option<(i64, PathBuf)> = None;
            loop {
                let version = ledger.store().data_version().ok();
                let current = matches!((&last, version), (Some((v, f)), Some(now)) if *v == now && f.exists());
                if current {
                    tracing::debug!("nothing changed since the last backup: none made");
                } else {
                    let started = std::time::Instant::now();
                    match backup_once(&ledger, key.as_ref(), &schedule.dir) {
                        Ok((file, dropped)) => {
                            tracing::info!(
                                file = %file.display(),
                                seconds = started.elapsed().as_secs_f64(),
                                deleted = dropped.len(),
                                "backup written and checked"
                            );
                            last = version.map(|v| (v, file));
                        }
                        Err(e) => {
                            tracing::error!(dir = %schedule.dir.display(), error = %e, "backup failed");
                        }
                    }
                }
                if !matches!(
                    stopped.recv_timeout(schedule.every),
                    Err(mpsc::RecvTimeoutError::Timeout)
                ) {
                    break;
                }
            }
        })
        .map_err(|e| HubError::Server(e.to_string()))?;
    Ok(Backups {
        stop: Some(stop),
        thread: Some(thread),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_read_as_people_write_them() {
        assert_eq!(parse_period("1h"), Some(Duration::from_secs(3600)));
        assert_eq!(parse_period("30m"), Some(Duration::from_secs(1800)));
        assert_eq!(parse_period("1d"), Some(Duration::from_secs(86_400)));
        assert_eq!(parse_period("5m"), Some(Duration::from_secs(300)));
        assert!(parse_period("10s").is_none());
        assert!(parse_period("h").is_none());
        assert!(parse_period("1 heure").is_none());
        assert!(parse_period("99999999999999999d").is_none());
    }
}
