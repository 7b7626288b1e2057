//! One function per command: read the arguments, find the records they name, call the use
//! case inside `Ledger::run`, and describe the result. No SQL and no business rule here.

mod backup;
mod cards;
mod federation;
mod fertilizer;
mod finance;
mod import;
mod office;
mod org;
pub mod progress;
mod registry;
mod reports;
mod scale;
mod season;
mod settlement;
mod sync;

use sene_domain::Lang;

use crate::cli::{
    AgentCommands, Cli, Command, CooperativeCommands, Global, MemberCommands, WarehouseCommands,
};
use crate::ctx::{missing_store, open_ledger, passphrase, store_path, Ctx};
use crate::error::{CliError, CliResult};
use crate::lang::tr;
use crate::output::Output;

/// Runs a parsed command line.
pub fn execute(cli: Cli, lang: Lang) -> CliResult<Output> {
    if let Command::Scale(c) = &cli.command {
        return scale::run(c, cli.global.json, lang); // a scale, no store
    }
    // PostgreSQL and the unions' replicas, no store
    let cli = match cli {
        Cli {
            command: Command::Federation(a),
            global,
        } => return federation::run(a, global.json, lang),
        other => other,
    };
    let path = store_path(cli.global.store)?;
    let creates = matches!(
        cli.command,
        Command::Init(_) | Command::Demo(_) | Command::Enroll(_) | Command::Restore(_)
    ) || matches!(&cli.command, Command::Backup(a) if a.action.is_some());
    if !creates && !path.exists() {
        return Err(missing_store(&path));
    }
    if let Command::Encrypt(a) = &cli.command {
        return encrypt(&path, &a.account, lang);
    }
    // a backup is checked, listed or put back without opening the store
    match &cli.command {
        Command::Backup(a) if a.action.is_some() => return backup::without_store(a, lang),
        Command::Restore(a) => return backup::restore(&path, &a.file, lang),
        Command::Recover(a) => return org::recover(&path, a, lang),
        _ => {}
    }
    // `SENE_PASSPHRASE` given to make a store: it is made encrypted, then the command runs
    if matches!(
        cli.command,
        Command::Init(_) | Command::Demo(_) | Command::Enroll(_)
    ) && org::wants_encryption(&path)
    {
        let again = Cli {
            global: Global {
                store: Some(path.clone()),
                ..cli.global
            },
            command: cli.command,
        };
        return org::create_encrypted(&path, lang, move || execute(again, lang));
    }
    let (ledger, key) = open_ledger(&path, lang)?;
    let mut ctx = Ctx {
        ledger,
        lang,
        json: cli.global.json,
        agent: cli.global.agent,
        store: path,
        key,
    };
    if ctx.agent.is_some() && !creates {
        // An unknown `--agent` is an error even for a read.
        ctx.actor()?;
    }
    match cli.command {
        Command::Init(a) => org::init(&mut ctx, a),
        Command::Demo(a) => org::demo(&mut ctx, a),
        Command::Cooperative(CooperativeCommands::Org(c)) => org::cooperative(&mut ctx, c),
        Command::Cooperative(CooperativeCommands::Registry(c)) => {
            registry::cooperative(&mut ctx, c)
        }
        Command::Warehouse(WarehouseCommands::Org(c)) => org::warehouse(&mut ctx, c),
        Command::Warehouse(WarehouseCommands::Registry(c)) => registry::warehouse(&mut ctx, c),
        Command::AgentCmd(AgentCommands::Org(c)) => org::agent(&mut ctx, c),
        Command::AgentCmd(AgentCommands::Registry(c)) => registry::agent(&mut ctx, c),
        Command::Device(c) => org::device(&mut ctx, c),
        Command::Member(MemberCommands::Org(c)) => org::member(&mut ctx, c),
        Command::Member(MemberCommands::Registry(c)) => registry::member(&mut ctx, c),
        Command::Member(MemberCommands::Cards(c)) => cards::run(&mut ctx, c),
        Command::Import(c) => import::run(&mut ctx, c),
        Command::Campaign(c) => season::campaign(&mut ctx, c),
        Command::Contract(c) => season::contract(&mut ctx, c),
        Command::Disburse(a) => season::disburse(&mut ctx, a),
        Command::Delivery(c) => season::delivery(&mut ctx, c),
        Command::Reverse(a) => season::reverse(&mut ctx, a),
        Command::Fertilizer(c) => fertilizer::run(&mut ctx, c),
        Command::SaleLot(c) => finance::sale_lot(&mut ctx, c),
        Command::Lender(c) => finance::lender(&mut ctx, c),
        Command::CreditLine(c) => finance::credit_line(&mut ctx, c),
        Command::Drawdown(c) => finance::drawdown(&mut ctx, c),
        Command::Repayment(c) => finance::repayment(&mut ctx, c),
        Command::Allocation(c) => finance::allocation(&mut ctx, c),
        Command::Payment(c) => finance::payment(&mut ctx, c),
        Command::Report(c) => reports::report(&mut ctx, c),
        Command::Settlement(c) => settlement::run(&mut ctx, c),
        Command::Anomalies(c) => office::anomalies(&mut ctx, c),
        Command::Stock(c) => office::stock(&mut ctx, c),
        Command::Cash(c) => office::cash(&mut ctx, c),
        Command::Audit(a) => reports::audit(&ctx, a),
        Command::Check => reports::check(&ctx),
        Command::Table(a) => reports::table(&ctx, a),
        Command::Enroll(a) => sync::enroll(&mut ctx, a),
        Command::Sync(a) => sync::sync(&mut ctx, a),
        Command::Conflicts(c) => sync::conflicts(&mut ctx, c),
        Command::Hub(c) => sync::hub(&mut ctx, c),
        Command::Backup(a) => backup::backup(&ctx, &a),
        Command::Standby(a) => sync::standby(&mut ctx, &a),
        Command::Encrypt(_)
        | Command::Restore(_)
        | Command::Recover(_)
        | Command::Scale(_)
        | Command::Federation(_) => {
            Err(CliError::msg("internal", "déjà traité", "already handled"))
        }
    }
}

/// `sene encrypt`: encrypts a plain store in place and shows its recovery key, once.
fn encrypt(path: &std::path::Path, account: &str, lang: Lang) -> CliResult<Output> {
    let pass = passphrase()?;
    let (_, key) =
        sene_store::Store::encrypt_plain(path, account, &pass, sene_store::KdfParams::DEFAULT)?;
    let recovery = key.recovery_text();
    Ok(Output::new(&serde_json::json!({ "encrypted": true, "recovery_key": recovery }))?
        .line(tr(
            lang,
            format!("Base chiffrée : {}", path.display()),
            format!("Store encrypted: {}", path.display()),
        ))
        .line(tr(
            lang,
            format!("Compte : {account}"),
            format!("Account: {account}"),
        ))
        .line(tr(
            lang,
            format!("Clé de secours (notez-la et rangez-la à part, elle ne sera plus affichée) : {recovery}"),
            format!("Recovery key (write it down and keep it apart, it will not be shown again): {recovery}"),
        )))
}
