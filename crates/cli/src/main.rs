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

use clap::Parser;
use sene_domain::Lang;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
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
