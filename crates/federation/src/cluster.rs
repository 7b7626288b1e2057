//! A throwaway PostgreSQL server for tests (and a developer trying `sene federation`): a new
//! cluster in a temporary folder (`initdb`), listening only on a Unix socket in that folder,
//! stopped (`pg_ctl stop -m immediate`) and removed when dropped.
//!
//! PostgreSQL refuses to run as root, and CI runs as root: then the folder is given to
//! `nobody` and `initdb`, `pg_ctl` run as that user through `runuser` (util-linux); root still
//! connects through the socket (trust authentication, user `postgres`). As any other user they
//! run as that user. The binaries are Debian's (`postgresql` package): `SENE_PG_BIN`, else the
//! newest `/usr/lib/postgresql/*/bin`, else the `PATH`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::FederationError;

/// A running temporary cluster.
pub struct TempCluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    as_nobody: bool,
    port: u16,
}

fn pg_bin() -> PathBuf {
    if let Some(b) = std::env::var_os("SENE_PG_BIN") {
        return PathBuf::from(b);
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((v, bin))
        })
        .collect();
    found.sort();
    found.pop().map_or_else(PathBuf::new, |(_, b)| b)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn cluster_error(what: &str, detail: impl std::fmt::Display) -> FederationError {
    FederationError::Cluster(format!("{what} : {detail}"))
}

impl TempCluster {
    /// Makes and starts a cluster.
    ///
    /// # Errors
    /// [`FederationError::Cluster`] when PostgreSQL's binaries are missing (install the
    /// `postgresql` package) or the server does not start.
    pub fn start() -> Result<Self, FederationError> {
        let bin = pg_bin();
        let initdb = bin.join("initdb");
        if !bin.as_os_str().is_empty() && !initdb.exists() {
            return Err(cluster_error("initdb introuvable", initdb.display()));
        }
        let as_nobody = is_root();
        let dir = tempfile::Builder::new()
            .prefix("sene-pg-")
            .tempdir()
            .map_err(|e| cluster_error("dossier temporaire", e))?;
        if as_nobody {
            let st = Command::new("chown")
                .args(["-R", "nobody"])
                .arg(dir.path())
                .status()
                .map_err(|e| cluster_error("chown", e))?;
            if !st.success() {
                return Err(cluster_error("chown nobody", st));
            }
        }
        // the socket's name carries the port: any number will do in a folder of our own
        let port = 5432;
        let c = TempCluster {
            dir,
            bin,
            as_nobody,
            port,
        };
        let data = c.data();
        c.run(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            ],
        )?;
        let opts = format!(
            "-k {} -p {} -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
            c.dir.path().display(),
            c.port
        );
        let log = c.dir.path().join("log").display().to_string();
        c.run(
            "pg_ctl",
            &[
                "-D", &data, "-l", &log, "-o", &opts, "-w", "-t", "60", "start",
            ],
        )
        .map_err(|e| {
            let log = std::fs::read_to_string(c.dir.path().join("log")).unwrap_or_default();
            cluster_error(&e.to_string(), log)
        })?;
        Ok(c)
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn command(&self, program: &str) -> Command {
        let exe = if self.bin.as_os_str().is_empty() {
            PathBuf::from(program)
        } else {
            self.bin.join(program)
        };
        if self.as_nobody {
            let mut c = Command::new("runuser");
            c.args(["-u", "nobody", "--"]).arg(exe);
            c
        } else {
            Command::new(exe)
        }
    }

    fn run(&self, program: &str, args: &[&str]) -> Result<(), FederationError> {
        let out = self
            .command(program)
            .args(args)
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .output()
            .map_err(|e| cluster_error(program, e))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(cluster_error(
                program,
                format!(
                    "{} {}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                ),
            ))
        }
    }

    /// The folder of the socket.
    #[must_use]
    pub fn socket_dir(&self) -> &Path {
        self.dir.path()
    }

    /// The connection string of database `db` (`postgres` always exists).
    #[must_use]
    pub fn url(&self, db: &str) -> String {
        format!(
            "host={} port={} user=postgres dbname={db}",
            self.dir.path().display(),
            self.port
        )
    }

    /// Creates database `name` and returns its connection string.
    ///
    /// # Errors
    /// [`FederationError::Postgres`].
    pub async fn create_db(&self, name: &str) -> Result<String, FederationError> {
        let client = crate::pg::connect(&self.url("postgres")).await?;
        client
            .batch_execute(&format!("CREATE DATABASE \"{name}\""))
            .await?;
        Ok(self.url(name))
    }
}

impl Drop for TempCluster {
    fn drop(&mut self) {
        let data = self.data();
        let _ = self.run("pg_ctl", &["-D", &data, "-m", "immediate", "-w", "stop"]);
    }
}
