//! `sene`: the command line of Sene. It parses, calls the use cases of `sene-app`, and prints
//! (French by default; `--json` for scripts). It never writes SQL nor decides a business rule.

mod cli;
mod commands;
mod ctx;
mod error;
mod files;
mod import_report;
mod lang;
mod lookup;
mod output;
mod parse;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};
use sene_domain::Lang;

/// `sene --version`: this build's version, the store schema it writes (its last migration) and
/// the commit it was built from (`build.rs`; « inconnu » without git).
fn version_line(lang: Lang) -> String {
    let schema = sene_store::MIGRATIONS.last().map_or(0, |m| m.version);
    let commit = Some(env!("SENE_COMMIT")).filter(|c| !c.is_empty());
    match lang {
        Lang::Fr => format!(
            "{} (schéma de la base {schema}, commit {})",
            env!("CARGO_PKG_VERSION"),
            commit.unwrap_or("inconnu")
        ),
        Lang::En => format!(
            "{} (store schema {schema}, commit {})",
            env!("CARGO_PKG_VERSION"),
            commit.unwrap_or("unknown")
        ),
    }
}

/// The language `--version` answers in, before clap has read the arguments: `--lang`, then
/// `SENE_LANG`, then French.
fn early_lang() -> Lang {
    let args: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    args.iter()
        .position(|a| a == "--lang")
        .and_then(|i| args.get(i + 1).cloned())
        .or_else(|| {
            args.iter()
                .find_map(|a| a.strip_prefix("--lang=").map(str::to_owned))
        })
        .or_else(|| std::env::var("SENE_LANG").ok())
        .and_then(|l| l.parse().ok())
        .unwrap_or(Lang::Fr)
}

fn main() -> ExitCode {
    // the version line is made at run time (the schema comes from sene-store); clap keeps it
    // for the life of the process
    let version: &'static str = Box::leak(version_line(early_lang()).into_boxed_str());
    let matches = cli::Cli::command().version(version).get_matches();
    let cli = cli::Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let json = cli.global.json;
    let lang = match cli.global.lang.as_deref().map(str::parse::<Lang>) {
        None => Lang::Fr,
        Some(Ok(l)) => l,
        Some(Err(m)) => {
            let e = error::CliError::msg("invalid_argument", format!("--lang : {m}"), m);
            return ExitCode::from(output::print_error(&e, json, Lang::Fr));
        }
    };
    match commands::execute(cli, lang) {
        Ok(out) => {
            output::print(&out, json);
            ExitCode::SUCCESS
        }
        Err(e) => ExitCode::from(output::print_error(&e, json, lang)),
    }
}
