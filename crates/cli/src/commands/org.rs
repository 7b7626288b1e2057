//! `init`, `demo`, and the organisation: cooperatives, warehouses, agents, devices, members.

use std::path::Path;

use sene_app::demo::{self, Scale};
use sene_app::org::{NewAgent, NewCooperative, NewDevice, NewMember, NewWarehouse};
use sene_app::{InitUnion, Ledger};
use sene_domain::*;
use sene_store::{DataKey, KdfParams, Store, Vault};
use serde_json::json;

use crate::cli::*;
use crate::ctx::Ctx;
use crate::error::{CliError, CliResult};
use crate::lang::{advance, num, tr, word};
use crate::lookup;
use crate::output::{self, Output};
use crate::parse;

/// A small generated union (`demo --scale small`): quick to build, every kind of record.
pub const SMALL: Scale = Scale {
    cooperatives: 4,
    members: 120,
    contracts: 100,
    deliveries: 400,
    distributions: 80,
};

pub fn init(ctx: &mut Ctx, a: InitArgs) -> CliResult<Output> {
    let Some(agent_name) = ctx.agent.take() else {
        return Err(CliError::msg(
            "invalid_argument",
            "init : donnez le nom du premier agent (secrétariat) avec --agent NOM",
            "init: give the first (secretariat) agent's name with --agent NAME",
        ));
    };
    let actor = ctx.ledger.init(&InitUnion {
        union_name: a.union,
        region: a.region,
        agent_name,
        device_label: a.device_name,
        receipt_prefix: a.prefix,
    })?;
    let union = ctx.ledger.union()?;
    let out = Output::new(&json!({
        "union": union,
        "agent_id": actor.agent,
        "device_id": actor.device,
        "store": ctx.store.display().to_string(),
    }))?;
    let lang = ctx.lang;
    let store = ctx.store.display();
    Ok(out
        .line(tr(
            lang,
            format!(
                "Union « {} » ({}) créée dans {store}",
                union.name, union.region
            ),
            format!(
                "Union \"{}\" ({}) created in {store}",
                union.name, union.region
            ),
        ))
        .line(tr(
            lang,
            format!("agent (secrétariat) : {}", actor.agent),
            format!("agent (secretariat): {}", actor.agent),
        ))
        .line(tr(
            lang,
            format!("appareil : {}", actor.device),
            format!("device: {}", actor.device),
        )))
}

pub fn demo(ctx: &mut Ctx, a: DemoArgs) -> CliResult<Output> {
    // the app's steps, as a bar on a terminal or plain lines (super::progress)
    let mut bar = super::progress::Progress::new(ctx.json);
    let mut progress = |s: &sene_app::steps::Step| bar.step(s);
    let summary = match a
        .scale
        .as_deref()
        .map(sene_domain::validate::fold)
        .as_deref()
    {
        None => demo::load_demo_steps(&mut ctx.ledger, &mut progress)?,
        Some("small" | "petite" | "petit") => {
            demo::generate_union_steps(&mut ctx.ledger, SMALL, a.seed, &mut progress)?
        }
        Some("union" | "full" | "complete") => {
            demo::generate_union_steps(&mut ctx.ledger, Scale::UNION, a.seed, &mut progress)?
        }
        Some(_) => {
            return Err(CliError::msg(
                "invalid_argument",
                format!(
                    "--scale : « {} » inconnu (small ou union)",
                    a.scale.as_deref().unwrap_or_default()
                ),
                format!(
                    "--scale: unknown \"{}\" (small or union)",
                    a.scale.as_deref().unwrap_or_default()
                ),
            ))
        }
    };
    let out = Output::new(&summary)?;
    let d = &summary;
    Ok(out.line(tr(
        ctx.lang,
        format!(
            "Démo chargée : {} coopératives, {} membres, {} campagnes, {} contrats, {} avances, {} livraisons, {} distributions d'engrais",
            d.cooperatives, d.members, d.campaigns, d.contracts, d.disbursements, d.deliveries, d.distributions
        ),
        format!(
            "Demo loaded: {} cooperatives, {} members, {} campaigns, {} contracts, {} advances, {} deliveries, {} fertilizer hand-outs",
            d.cooperatives, d.members, d.campaigns, d.contracts, d.disbursements, d.deliveries, d.distributions
        ),
    )))
}

/// The account of a store `sene` makes or recovers when `SENE_ACCOUNT` names none.
const DEFAULT_ACCOUNT: &str = "Bureau";

/// An environment variable that is set and not blank.
fn env_text(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Whether `init`, `demo` or `enroll` must make an encrypted store: `SENE_PASSPHRASE` is
/// given and the store has no key file yet.
pub fn wants_encryption(path: &Path) -> bool {
    std::env::var_os("SENE_PASSPHRASE").is_some() && !Vault::exists(path)
}

/// The store's files, as a creation that failed before writing anything leaves them.
fn remove_new_store(path: &Path) {
    for suffix in ["", "-wal", "-shm", ".keys"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(std::path::PathBuf::from(p));
    }
}

/// `init`, `demo` or `enroll` with `SENE_PASSPHRASE`: the store is made encrypted from its
/// first byte (a key file with one account, `SENE_ACCOUNT` or « Bureau », then the empty
/// store under its key), the command runs on it (`run`, opening it with the same
/// passphrase), and its answer carries the recovery key, shown this once. A weak passphrase
/// is refused before anything is written; a plain store already there is refused (`sene
/// encrypt` encrypts it). When the command fails before the store holds anything, its files
/// are removed, so the next try makes a new key and shows its recovery key; when it fails
/// after (a device enrolled whose first sync failed), the recovery key is printed on stderr.
pub fn create_encrypted(
    path: &Path,
    lang: Lang,
    run: impl FnOnce() -> CliResult<Output>,
) -> CliResult<Output> {
    let pass = crate::ctx::passphrase()?;
    if std::fs::metadata(path).is_ok_and(|m| m.len() > 0) {
        return Err(CliError::msg(
            "store_plain",
            format!(
                "la base {} existe déjà, en clair : chiffrez-la avec « sene encrypt --account NOM » (phrase secrète dans SENE_PASSPHRASE), ou relancez sans SENE_PASSPHRASE",
                path.display()
            ),
            format!(
                "the store {} already exists, in clear: encrypt it with \"sene encrypt --account NAME\" (passphrase in SENE_PASSPHRASE), or run again without SENE_PASSPHRASE",
                path.display()
            ),
        ));
    }
    let label = env_text("SENE_ACCOUNT")
        .map_or_else(|| DEFAULT_ACCOUNT.to_owned(), |a| a.trim().to_owned());
    let (mut vault, key) = Vault::create(path, &label, &pass, KdfParams::DEFAULT)?;
    vault.save()?;
    if let Err(e) = Store::open_vault(path, &mut vault, &key) {
        remove_new_store(path);
        return Err(e.into());
    }
    let recovery = key.recovery_text();
    match run() {
        Ok(out) => Ok(with_recovery_key(out, &label, &recovery, lang)),
        Err(e) => {
            if holds_something(path, &key) {
                eprintln!(
                    "{}",
                    match lang {
                        Lang::Fr => format!("La base {} a été créée chiffrée et garde ce qui a été fait avant l'erreur. Clé de secours (notez-la sur papier, elle ne sera plus affichée) : {recovery}", path.display()),
                        Lang::En => format!("The store {} was created encrypted and keeps what was done before the error. Recovery key (write it down on paper, it will not be shown again): {recovery}", path.display()),
                    }
                );
            } else {
                remove_new_store(path);
            }
            Err(e)
        }
    }
}

/// Whether a store just made holds a device (the union created, or the device enrolled).
fn holds_something(path: &Path, key: &DataKey) -> bool {
    let Ok(mut vault) = Vault::load(path) else {
        return true;
    };
    match Store::open_vault(path, &mut vault, key) {
        Ok(store) => Ledger::with_clock(store, Box::new(sene_app::SystemClock))
            .local_actor()
            .is_ok(),
        Err(_) => true,
    }
}

/// A creating command's answer, with the new store's recovery key and what to do with it.
fn with_recovery_key(mut out: Output, label: &str, recovery: &str, lang: Lang) -> Output {
    match &mut out.json {
        serde_json::Value::Object(m) => {
            m.insert("recovery_key".into(), json!(recovery));
            m.insert("account".into(), json!(label));
        }
        other => {
            out.json =
                json!({ "result": other.take(), "recovery_key": recovery, "account": label });
        }
    }
    match lang {
        Lang::Fr => out
            .line(format!("Base chiffrée : elle ne s'ouvre qu'avec la phrase secrète (SENE_PASSPHRASE) du compte « {label} »."))
            .line(format!("Clé de secours : {recovery}"))
            .line("Notez cette clé sur papier maintenant et rangez-la à part, loin de l'ordinateur : elle ne sera plus jamais affichée. Si la phrase secrète est perdue, elle seule rouvre la base (« sene recover »)."),
        Lang::En => out
            .line(format!("Store encrypted: it opens only with the passphrase (SENE_PASSPHRASE) of the account \"{label}\"."))
            .line(format!("Recovery key: {recovery}"))
            .line("Write this key down on paper now and keep it apart, away from the computer: it will never be shown again. If the passphrase is lost, it alone reopens the store (\"sene recover\")."),
    }
}

/// Reads one line typed on stdin (the prompt shown when stdin is a terminal); `var` is the
/// environment variable that gives it instead.
fn ask(lang: Lang, fr: &str, en: &str, var: &str) -> CliResult<String> {
    use std::io::{BufRead as _, IsTerminal as _, Write as _};
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("{}", if lang == Lang::Fr { fr } else { en });
        let _ = std::io::stderr().flush();
    }
    let mut line = String::new();
    let read = stdin.lock().read_line(&mut line).map_err(|e| {
        CliError::msg(
            "input_unreadable",
            format!("lecture de l'entrée impossible : {e}"),
            format!("cannot read the input: {e}"),
        )
    })?;
    if read == 0 {
        return Err(CliError::msg(
            "input_missing",
            format!("rien à lire sur l'entrée : donnez la valeur dans la variable {var}, ou lancez la commande dans un terminal pour la taper"),
            format!("nothing to read on the input: give the value in the variable {var}, or run the command in a terminal to type it"),
        ));
    }
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}

/// `sene recover`: every passphrase of an encrypted store forgotten (or its key file lost),
/// the recovery key (`SENE_RECOVERY_KEY`, or typed) opens it and a new passphrase
/// (`SENE_NEW_PASSPHRASE`, or typed twice) is set for one account (`--account`, `SENE_ACCOUNT`,
/// the account already there, or « Bureau »): the key file is made anew
/// ([`Vault::recover`], as the desktop's recovery). A wrong recovery key, a weak or
/// mistyped passphrase change nothing.
pub fn recover(path: &Path, a: &RecoverArgs, lang: Lang) -> CliResult<Output> {
    if !Vault::looks_encrypted(path) {
        return Err(CliError::msg(
            "not_encrypted",
            format!(
                "la base {} n'est pas chiffrée : elle s'ouvre sans phrase secrète ni clé de secours",
                path.display()
            ),
            format!(
                "the store {} is not encrypted: it opens without a passphrase or recovery key",
                path.display()
            ),
        ));
    }
    let recovery = match std::env::var("SENE_RECOVERY_KEY") {
        Ok(t) => t,
        Err(_) => ask(
            lang,
            "Clé de secours (14 groupes de 4 caractères) : ",
            "Recovery key (14 groups of 4 characters): ",
            "SENE_RECOVERY_KEY",
        )?,
    };
    // The key is checked before a new passphrase is asked for.
    drop(Vault::open_with_recovery_key(path, &recovery)?);
    let passphrase = match std::env::var("SENE_NEW_PASSPHRASE") {
        Ok(p) => p,
        Err(_) => {
            let p = ask(
                lang,
                "Nouvelle phrase secrète (au moins 8 caractères) : ",
                "New passphrase (at least 8 characters): ",
                "SENE_NEW_PASSPHRASE",
            )?;
            sene_store::check_passphrase(&p)?;
            let again = ask(
                lang,
                "La même phrase secrète, encore une fois : ",
                "The same passphrase, once more: ",
                "SENE_NEW_PASSPHRASE",
            )?;
            if again != p {
                return Err(CliError::msg(
                    "invalid_value",
                    "les deux phrases secrètes tapées diffèrent : rien n'a été modifié ; recommencez",
                    "the two passphrases typed differ: nothing was changed; start again",
                ));
            }
            p
        }
    };
    let label = a
        .account
        .clone()
        .or_else(|| env_text("SENE_ACCOUNT"))
        .or_else(|| {
            Vault::load(path)
                .ok()
                .and_then(|v| v.slots().first().map(|s| s.label.clone()))
        })
        .map_or_else(|| DEFAULT_ACCOUNT.to_owned(), |l| l.trim().to_owned());
    Vault::recover(path, &recovery, &label, &passphrase, KdfParams::DEFAULT)?;
    let out = Output::new(&json!({
        "recovered": true,
        "account": label,
        "store": path.display().to_string(),
    }))?;
    Ok(match lang {
        Lang::Fr => out
            .line(format!("Nouvelle phrase secrète enregistrée pour le compte « {label} » de la base {}.", path.display()))
            .line("La base s'ouvre désormais avec elle (SENE_PASSPHRASE) ; les anciennes phrases secrètes ne l'ouvrent plus, et les autres comptes de cet appareil sont retirés (le secrétariat leur en redonne un depuis la fenêtre de Sene).")
            .line("Relancez le serveur du bureau avec la nouvelle phrase secrète. La clé de secours ne change pas : gardez-la en lieu sûr."),
        Lang::En => out
            .line(format!("New passphrase saved for the account \"{label}\" of the store {}.", path.display()))
            .line("The store now opens with it (SENE_PASSPHRASE); the old passphrases no longer open it, and the other accounts of this device are removed (the secretariat gives them one again from the Sene window).")
            .line("Start the office server again with the new passphrase. The recovery key does not change: keep it in a safe place."),
    })
}

fn coop_line(c: &Cooperative) -> String {
    format!(
        "{:<8} {}  — {}, {}, {}, {}",
        c.code, c.name, c.village, c.commune, c.cercle, c.region
    )
}

pub fn cooperative(ctx: &mut Ctx, c: CooperativeCmd) -> CliResult<Output> {
    match c {
        CooperativeCmd::Add(a) => {
            let cmd = NewCooperative {
                id: parse::opt_id("--id", a.id.id.as_deref())?,
                code: a.code,
                name: a.name,
                village: a.village,
                commune: a.commune,
                cercle: a.cercle,
                region: a.region,
            };
            let c = ctx.run(|tx| tx.add_cooperative(cmd))?;
            let out = Output::new(&c)?;
            Ok(out.line(tr(
                ctx.lang,
                format!("Coopérative {} enregistrée : {} ({})", c.code, c.name, c.id),
                format!("Cooperative {} registered: {} ({})", c.code, c.name, c.id),
            )))
        }
        CooperativeCmd::List => {
            let list = ctx.db().cooperatives()?;
            let mut out = Output::new(&list)?;
            for c in &list {
                out.push(coop_line(c));
            }
            out.push(tr(
                ctx.lang,
                format!("{} coopérative(s)", list.len()),
                format!("{} cooperative(s)", list.len()),
            ));
            Ok(out)
        }
    }
}

pub fn warehouse(ctx: &mut Ctx, c: WarehouseCmd) -> CliResult<Output> {
    match c {
        WarehouseCmd::Add(a) => {
            let coop = lookup::cooperative(&ctx.db(), &a.cooperative)?;
            let cmd = NewWarehouse {
                id: parse::opt_id("--id", a.id.id.as_deref())?,
                cooperative_id: coop.id,
                name: a.name,
                capacity: a
                    .capacity
                    .as_deref()
                    .map(|s| parse::kg("--capacity", s))
                    .transpose()?,
            };
            let w = ctx.run(|tx| tx.add_warehouse(cmd))?;
            let out = Output::new(&w)?;
            Ok(out.line(tr(
                ctx.lang,
                format!(
                    "Magasin « {} » de {} enregistré ({})",
                    w.name, coop.code, w.id
                ),
                format!(
                    "Warehouse \"{}\" of {} registered ({})",
                    w.name, coop.code, w.id
                ),
            )))
        }
        WarehouseCmd::List { cooperative } => {
            let db = ctx.db();
            let coop = lookup::opt_cooperative(&db, cooperative.as_deref())?;
            let list = db.warehouses(coop.map(|c| c.id))?;
            let codes: std::collections::HashMap<CooperativeId, String> = db
                .cooperatives()?
                .into_iter()
                .map(|c| (c.id, c.code))
                .collect();
            let mut out = Output::new(&list)?;
            let lang = ctx.lang;
            for w in &list {
                out.push(format!(
                    "{:<8} {}  {} {}  ({})",
                    codes.get(&w.cooperative_id).map_or("?", String::as_str),
                    w.name,
                    tr(lang, "capacité", "capacity"),
                    w.capacity.map_or_else(|| "—".to_owned(), |k| num(lang, k)),
                    w.id
                ));
            }
            out.push(tr(
                lang,
                format!("{} magasin(s)", list.len()),
                format!("{} warehouse(s)", list.len()),
            ));
            Ok(out)
        }
    }
}

pub fn agent(ctx: &mut Ctx, c: AgentCmd) -> CliResult<Output> {
    match c {
        AgentCmd::Add(a) => {
            let db = ctx.db();
            let mut coops = Vec::new();
            for code in &a.cooperatives {
                coops.push(lookup::cooperative(&db, code)?.id);
            }
            let cmd = NewAgent {
                id: parse::opt_id("--id", a.id.id.as_deref())?,
                name: a.name,
                phone: a.phone,
                role: parse::label("--role", &a.role)?,
                cooperatives: coops,
            };
            let ag = ctx.run(|tx| tx.add_agent(cmd))?;
            let out = Output::new(&ag)?;
            let role = word(ctx.lang, ag.role);
            Ok(out.line(tr(
                ctx.lang,
                format!("Agent « {} » ({role}) enregistré : {}", ag.name, ag.id),
                format!("Agent \"{}\" ({role}) registered: {}", ag.name, ag.id),
            )))
        }
        AgentCmd::List => {
            let db = ctx.db();
            let list = lookup::agents(&db)?;
            let default = ctx.ledger.local_actor().ok().map(|a| a.agent);
            let codes: std::collections::HashMap<CooperativeId, String> = db
                .cooperatives()?
                .into_iter()
                .map(|c| (c.id, c.code))
                .collect();
            let mut out = Output::new(&list)?;
            for a in &list {
                let cs: Vec<&str> = a
                    .cooperatives
                    .iter()
                    .filter_map(|c| codes.get(c).map(String::as_str))
                    .collect();
                out.push(format!(
                    "{}  {} ({}){}{}{}",
                    a.id,
                    a.name,
                    word(ctx.lang, a.role),
                    a.phone
                        .as_deref()
                        .map(|p| format!(" {p}"))
                        .unwrap_or_default(),
                    if cs.is_empty() {
                        String::new()
                    } else {
                        format!(" — {}", cs.join(", "))
                    },
                    match (Some(a.id) == default, ctx.lang) {
                        (false, _) => "",
                        (true, Lang::Fr) => " [agent de cette base]",
                        (true, Lang::En) => " [this store's agent]",
                    }
                ));
            }
            Ok(out)
        }
    }
}

pub fn device(ctx: &mut Ctx, c: DeviceCmd) -> CliResult<Output> {
    match c {
        DeviceCmd::Add(a) => {
            let cmd = NewDevice {
                id: parse::opt_id("--id", a.id.id.as_deref())?,
                label: a.label,
                receipt_prefix: a.prefix,
            };
            let d = ctx.run(|tx| tx.add_device(cmd))?;
            let out = Output::new(&d)?;
            Ok(out.line(tr(
                ctx.lang,
                format!(
                    "Appareil « {} » enregistré, reçus {}-…  ({})",
                    d.label, d.receipt_prefix, d.id
                ),
                format!(
                    "Device \"{}\" registered, receipts {}-…  ({})",
                    d.label, d.receipt_prefix, d.id
                ),
            )))
        }
        DeviceCmd::List => crate::ctx::raw_rows(ctx, sene_store::Table::Devices, u32::MAX),
    }
}

fn member_line(lang: Lang, m: &Member, code: &str) -> String {
    format!(
        "{:<12} {}  {}  {}{}{}  [{}]{}",
        m.number,
        m.full_name,
        match m.sex {
            Sex::Female => "F",
            Sex::Male => "M",
        },
        m.village,
        m.birth_year
            .map(|y| tr(lang, format!(", né(e) en {y}"), format!(", born {y}")))
            .unwrap_or_default(),
        m.phone
            .as_deref()
            .map(|p| format!(", {p}"))
            .unwrap_or_default(),
        code,
        match (m.status, m.left_on) {
            (MemberStatus::Active, _) => String::new(),
            (st, Some(on)) => tr(
                lang,
                format!(" ({} le {})", st.label_fr(), on.format("%d/%m/%Y")),
                format!(" ({} on {})", st.label_en(), on.format("%d/%m/%Y")),
            ),
            (st, None) => format!(" ({})", word(lang, st)),
        }
    )
}

fn coop_codes(ctx: &Ctx) -> CliResult<std::collections::HashMap<CooperativeId, String>> {
    Ok(ctx
        .db()
        .cooperatives()?
        .into_iter()
        .map(|c| (c.id, c.code))
        .collect())
}

pub fn member(ctx: &mut Ctx, c: MemberCmd) -> CliResult<Output> {
    match c {
        MemberCmd::Add(a) => {
            let coop = lookup::cooperative(&ctx.db(), &a.cooperative)?;
            let mut crops = Vec::new();
            for c in &a.families {
                for part in c.split([';', ',']).filter(|p| !p.trim().is_empty()) {
                    crops.push(parse::label::<CropFamily>("--family", part)?);
                }
            }
            let cmd = NewMember {
                id: parse::opt_id("--id", a.id.id.as_deref())?,
                cooperative_id: coop.id,
                number: a.number,
                full_name: a.name,
                sex: parse::label("--sex", &a.sex)?,
                birth_year: a
                    .birth_year
                    .as_deref()
                    .map(|y| {
                        y.trim().parse::<i32>().map_err(|_| {
                            CliError::msg(
                                "invalid_value",
                                format!("--birth-year : « {y} » n'est pas une année"),
                                format!("--birth-year: \"{y}\" is not a year"),
                            )
                        })
                    })
                    .transpose()?,
                village: a.village,
                phone: a.phone,
                nina: a.nina,
                crops,
            };
            let confirm = a.confirm;
            let m = ctx.run(|tx| tx.register_member(cmd, confirm))?;
            let out = Output::new(&m)?;
            Ok(out.line(tr(
                ctx.lang,
                format!(
                    "Membre {} enregistré : {} ({}) — {}",
                    m.number, m.full_name, coop.code, m.id
                ),
                format!(
                    "Member {} registered: {} ({}) — {}",
                    m.number, m.full_name, coop.code, m.id
                ),
            )))
        }
        MemberCmd::List { cooperative } => {
            let coop = lookup::opt_cooperative(&ctx.db(), cooperative.as_deref())?;
            let list = ctx.db().members(coop.map(|c| c.id))?;
            let codes = coop_codes(ctx)?;
            let mut out = Output::new(&list)?;
            for m in &list {
                out.push(member_line(
                    ctx.lang,
                    m,
                    codes.get(&m.cooperative_id).map_or("?", String::as_str),
                ));
            }
            out.push(tr(
                ctx.lang,
                format!("{} membre(s)", list.len()),
                format!("{} member(s)", list.len()),
            ));
            Ok(out)
        }
        MemberCmd::Search { query, limit } => {
            let list = ctx.db().search_members(&query, limit)?;
            let codes = coop_codes(ctx)?;
            let mut out = Output::new(&list)?;
            for m in &list {
                out.push(member_line(
                    ctx.lang,
                    m,
                    codes.get(&m.cooperative_id).map_or("?", String::as_str),
                ));
            }
            if list.is_empty() {
                out.push(tr(
                    ctx.lang,
                    format!("aucun membre ne correspond à « {query} »"),
                    format!("no member matches \"{query}\""),
                ));
            }
            Ok(out)
        }
        MemberCmd::Show {
            member,
            cooperative,
        } => {
            let db = ctx.db();
            let m = lookup::member(&db, &member, cooperative.as_deref())?;
            let coop = db
                .cooperative(m.cooperative_id)?
                .ok_or_else(|| CliError::not_found("coopérative", m.cooperative_id.to_string()))?;
            let lang = ctx.lang;
            let contracts = db.member_contracts(m.id, None)?;
            let mut camps = std::collections::HashMap::new();
            for c in &contracts {
                if let std::collections::hash_map::Entry::Vacant(e) = camps.entry(c.campaign_id) {
                    e.insert(db.campaign(c.campaign_id)?.ok_or_else(|| {
                        CliError::not_found("campagne", c.campaign_id.to_string())
                    })?);
                }
            }
            // each contract with the advance its terms provide for (sene_app::progress: one
            // rule), marked as planned while the contract is not approved
            let mut shown = Vec::with_capacity(contracts.len());
            let mut rows = Vec::with_capacity(contracts.len());
            for c in &contracts {
                let camp = &camps[&c.campaign_id];
                let due = sene_app::progress::advance_due(camp, c)?;
                let owed = sene_app::progress::approved(c.state);
                let mut v = output::to_json(c)?;
                if let serde_json::Value::Object(o) = &mut v {
                    o.insert("advance_due".into(), output::to_json(&due)?);
                    o.insert("advance_approved".into(), json!(owed));
                }
                shown.push(v);
                rows.push((c, camp, due, owed));
            }
            let mut out = Output::new(&json!({
                "member": m,
                "cooperative": coop,
                "contracts": shown,
            }))?;
            out.push(member_line(lang, &m, &coop.code));
            out.push(tr(lang, format!("id : {}", m.id), format!("id: {}", m.id)));
            out.push(tr(
                lang,
                format!("coopérative : {} ({})", coop.name, coop.code),
                format!("cooperative: {} ({})", coop.name, coop.code),
            ));
            if let Some(n) = &m.nina {
                out.push(tr(lang, format!("NINA : {n}"), format!("NINA: {n}")));
            }
            let crops: Vec<&str> = m.crops.iter().map(|c| word(lang, *c)).collect();
            out.push(tr(
                lang,
                format!("filières : {}", crops.join(", ")),
                format!("crop families: {}", crops.join(", ")),
            ));
            if contracts.is_empty() {
                out.push(tr(lang, "aucun contrat", "no contract"));
            }
            for (c, camp, due, owed) in rows {
                out.push(tr(
                    lang,
                    format!(
                        "contrat {}  {}  {}  {} à {}/kg  {}  {}  (demandé le {})",
                        c.id,
                        camp.name,
                        word(lang, c.crop),
                        c.committed,
                        c.base_price,
                        advance(lang, due, owed),
                        word(lang, c.state),
                        c.requested_on
                    ),
                    format!(
                        "contract {}  {}  {}  {} at {}/kg  {}  {}  (requested on {})",
                        c.id,
                        camp.name,
                        word(lang, c.crop),
                        num(lang, c.committed),
                        c.base_price,
                        advance(lang, due, owed),
                        word(lang, c.state),
                        c.requested_on
                    ),
                ));
            }
            Ok(out)
        }
    }
}
