//! The command line, as clap types. Values are kept as text and read by [`crate::parse`], so
//! that a typing mistake gets a French message (exit 1) rather than a clap usage error.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Sene : registre des coopératives d'une union (campagnes, avances, livraisons, engrais,
/// règlements).
#[derive(Debug, Parser)]
#[command(name = "sene", version, about, long_about = None)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options de toutes les commandes.
#[derive(Debug, Args)]
pub struct Global {
    /// Fichier de la base (défaut : dossier de données/sene/sene.sqlite)
    #[arg(long, global = true, env = "SENE_STORE", value_name = "FICHIER")]
    pub store: Option<PathBuf>,
    /// Sortie JSON (résultat sur stdout ; en cas d'erreur {"error":{...}} et code 1)
    #[arg(long, global = true)]
    pub json: bool,
    /// Langue des messages : fr (défaut) ou en
    #[arg(long, global = true, env = "SENE_LANG", value_name = "fr|en")]
    pub lang: Option<String>,
    /// Agir comme un autre agent enregistré (UUID ou nom) ; défaut : l'agent de cette base.
    /// Pour `init` : le nom du premier agent (secrétariat) ; pour `report cash` : l'agent vu
    #[arg(long, global = true, value_name = "AGENT")]
    pub agent: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Crée l'union, son premier agent (secrétariat) et cet appareil dans une base vide
    Init(InitArgs),
    /// Remplit une base vide avec une union de démonstration
    Demo(DemoArgs),
    /// Coopératives de base
    #[command(subcommand)]
    Cooperative(CooperativeCommands),
    /// Magasins des coopératives
    #[command(subcommand)]
    Warehouse(WarehouseCommands),
    /// Agents (terrain, CTC, secrétariat)
    #[command(subcommand, name = "agent")]
    AgentCmd(AgentCommands),
    /// Appareils (ordinateurs) et leurs préfixes de reçus
    #[command(subcommand)]
    Device(DeviceCmd),
    /// Membres des coopératives
    #[command(subcommand, visible_alias = "members")]
    Member(MemberCommands),
    /// Campagnes (une saison d'une filière)
    #[command(subcommand)]
    Campaign(CampaignCmd),
    /// Contrats d'avance
    #[command(subcommand)]
    Contract(ContractCmd),
    /// Verse une avance sur un contrat approuvé
    Disburse(DisburseArgs),
    /// Livraisons au magasin
    #[command(subcommand)]
    Delivery(DeliveryCmd),
    /// Annule (contre-passe) un enregistrement d'argent, avec un motif
    Reverse(ReverseArgs),
    /// Engrais : catalogue, besoins, commandes, réceptions, distributions
    #[command(subcommand)]
    Fertilizer(FertilizerCmd),
    /// Lots de vente
    #[command(subcommand, name = "sale-lot")]
    SaleLot(SaleLotCmd),
    /// Prêteurs (IMF, banques)
    #[command(subcommand)]
    Lender(LenderCmd),
    /// Lignes de crédit
    #[command(subcommand, name = "credit-line")]
    CreditLine(CreditLineCmd),
    /// Tirages sur une ligne de crédit
    #[command(subcommand)]
    Drawdown(DrawdownCmd),
    /// Remboursements aux prêteurs
    #[command(subcommand)]
    Repayment(RepaymentCmd),
    /// Dotations de fonds aux agents
    #[command(subcommand)]
    Allocation(AllocationCmd),
    /// Paiements de solde aux membres
    #[command(subcommand)]
    Payment(PaymentCmd),
    /// Importe des données depuis un fichier CSV ou XLSX
    #[command(subcommand)]
    Import(ImportCmd),
    /// Rapports : règlement, avancement de campagne, caisse d'un agent
    #[command(subcommand)]
    Report(ReportCmd),
    /// Règlements arrêtés : arrêter, lister, afficher (CSV, XLSX), relevés et listes de paiement
    #[command(subcommand)]
    Settlement(SettlementCmd),
    /// Anomalies d'une campagne à examiner, et leur résolution motivée (secrétariat)
    #[command(subcommand)]
    Anomalies(AnomaliesCmd),
    /// Comptages physiques du stock des magasins (secrétariat)
    #[command(subcommand)]
    Stock(StockCmd),
    /// Argent rendu au bureau par un agent (secrétariat)
    #[command(subcommand)]
    Cash(CashCmd),
    /// Journal d'audit (les dernières actions)
    Audit(AuditArgs),
    /// Vérifie l'intégrité de la base et compte les enregistrements
    Check,
    /// Liste les lignes brutes d'une table (disbursements, deliveries, reversals…)
    Table(TableArgs),
    /// Enrôle cette base (vide) comme appareil d'une union, avec le code du secrétariat
    Enroll(EnrollArgs),
    /// Synchronise avec le bureau de l'union (HTTP), ou par fichier sur clé USB
    Sync(SyncArgs),
    /// Conflits et doublons probables à examiner
    #[command(subcommand)]
    Conflicts(ConflictsCmd),
    /// Bureau de l'union : serveur de synchronisation, appairage, révocation, fichiers USB
    #[command(subcommand)]
    Hub(HubCmd),
    /// Chiffre la base en place (phrase secrète dans SENE_PASSPHRASE) et affiche sa clé de secours
    Encrypt(EncryptArgs),
    /// Phrase secrète perdue : rouvre la base chiffrée avec sa clé de secours et lui donne une
    /// nouvelle phrase secrète (SENE_RECOVERY_KEY et SENE_NEW_PASSPHRASE, ou demandées)
    Recover(RecoverArgs),
    /// Sauvegarde la base pendant qu'elle sert (--to DOSSIER), ou vérifie une sauvegarde
    Backup(BackupArgs),
    /// Remet une sauvegarde à la place de la base (--store), avec une nouvelle identité de synchronisation
    Restore(RestoreArgs),
    /// Machine de secours du bureau (un appareil du secrétariat) : garde la dernière sauvegarde
    /// du bureau, reprise toutes les 5 minutes
    Standby(StandbyArgs),
    /// Balance du magasin sur un port série (indicateur MT-SICS, A&D ou XK3190-A9) ; sans base
    #[command(subcommand)]
    Scale(ScaleCmd),
    /// Fédération d'unions : collecte les données de chaque union (bureau en HTTP, ou fichier
    /// USB) dans PostgreSQL pour les chiffres nationaux ; sans base Sene
    Federation(FederationArgs),
}

/// `sene federation …`: the PostgreSQL database and the replicas' folder, then the command.
#[derive(Debug, Args)]
pub struct FederationArgs {
    /// Base PostgreSQL de la fédération (ex. « host=/run/postgresql dbname=federation » ou
    /// postgresql://federation@localhost/federation), sans TLS : sur cette machine
    #[arg(
        long,
        global = true,
        env = "SENE_FEDERATION_POSTGRES",
        value_name = "URL"
    )]
    pub postgres: Option<String>,
    /// Dossier des copies locales des unions (une base Sene par union ; défaut : dossier de
    /// données/sene/federation)
    #[arg(
        long,
        global = true,
        env = "SENE_FEDERATION_DATA",
        value_name = "DOSSIER"
    )]
    pub data: Option<PathBuf>,
    #[command(subcommand)]
    pub command: FederationCmd,
}

#[derive(Debug, Subcommand)]
pub enum FederationCmd {
    /// Ajoute une union à suivre : avec le code d'appairage que son secrétariat a donné
    /// (sene hub pair --device D --federation), ou avec un jeton déjà reçu ; sans --url, l'union
    /// n'est lue que par ses fichiers USB
    AddUnion {
        /// Nom de l'union dans la fédération
        name: String,
        /// Adresse du bureau de l'union (ex. https://bureau.union.ml:8750)
        #[arg(long)]
        url: Option<String>,
        /// Appareil enregistré par l'union pour la fédération (UUID)
        #[arg(long)]
        device: String,
        /// Code d'appairage à usage unique (enrôle la fédération maintenant, par --url)
        #[arg(long, conflicts_with_all = ["token", "agent", "bundle_key"], required_unless_present = "token")]
        code: Option<String>,
        /// Jeton de la fédération auprès du bureau de l'union (déjà enrôlée)
        #[arg(long, requires = "agent")]
        token: Option<String>,
        /// Agent (lecture seule) de la fédération dans l'union (UUID), avec --token
        #[arg(long)]
        agent: Option<String>,
        /// Clé des fichiers USB de l'union pour la fédération, avec --token
        #[arg(long)]
        bundle_key: Option<String>,
        /// Certificat (PEM) de l'autorité de l'union, pour un bureau en HTTPS à certificat propre
        #[arg(long, value_name = "FICHIER")]
        ca: Option<PathBuf>,
    },
    /// Liste les unions suivies : dernière collecte réussie, son âge, dernière erreur
    Unions,
    /// Collecte maintenant une union, ou toutes (chacune pour elle : l'échec de l'une n'arrête
    /// pas les autres)
    Pull {
        /// Nom de l'union (absent : toutes celles qui ont une adresse)
        union: Option<String>,
        /// Réécrit toute la projection de l'union depuis sa copie locale, même sans nouvelles
        /// (lignes perdues ou altérées dans PostgreSQL)
        #[arg(long)]
        rebuild: bool,
    },
    /// Importe le fichier USB que le bureau d'une union a fait pour la fédération
    /// (sene sync export --device D, au bureau de l'union)
    Import {
        /// Le fichier .sene
        file: PathBuf,
        /// Nom de l'union
        #[arg(long)]
        union: String,
    },
    /// Lance la fédération : collecte toutes les unions à intervalle régulier et sert la page
    /// nationale (/national : avec --cert et --key en HTTPS ; comptes : sene federation account
    /// add), /v1/health et /v1/unions
    Serve {
        /// Période des collectes (ex. 5m, 15m, 1h)
        #[arg(long, env = "SENE_FEDERATION_EVERY", default_value = "15m")]
        every: String,
        /// Adresse d'écoute HTTP
        #[arg(long, env = "SENE_FEDERATION_LISTEN", default_value = "127.0.0.1:8790")]
        listen: String,
        /// Certificat TLS (PEM) : sert la page nationale en HTTPS (sene hub cert le fait)
        #[arg(long, env = "SENE_FEDERATION_CERT", requires = "key")]
        cert: Option<PathBuf>,
        /// Clé privée TLS (PEM)
        #[arg(long, env = "SENE_FEDERATION_KEY", requires = "cert")]
        key: Option<PathBuf>,
    },
    /// Comptes de la page nationale : personnel de la fédération, prêteurs (lecture seule)
    #[command(subcommand)]
    Account(FederationAccountCmd),
}

#[derive(Debug, Subcommand)]
pub enum FederationAccountCmd {
    /// Ajoute un compte ; le mot de passe est lu sur l'entrée (ou SENE_FEDERATION_PASSWORD)
    Add {
        /// Nom du compte (celui tapé à la connexion)
        name: String,
        /// staff (personnel : voit tout) ou lender (prêteur : ne voit que ses lignes)
        #[arg(long, value_name = "staff|lender")]
        role: String,
        /// Le prêteur d'un compte lender, tel que les unions le nomment (ex. « Kafo Jiginew »)
        #[arg(long, value_name = "NOM")]
        lender: Option<String>,
    },
    /// Retire un compte (un prêteur qui ne doit plus voir ses lignes) ; ses sessions finissent
    Remove {
        /// Nom du compte
        name: String,
    },
    /// Liste les comptes
    List,
}

#[derive(Debug, Subcommand)]
pub enum ScaleCmd {
    /// Lit la balance : les pesées en direct, puis le poids stable (le même poids tenu
    /// --stable-ms, sans trame en mouvement ni refusée entre deux)
    Read(ScaleReadArgs),
}

#[derive(Debug, Args)]
pub struct ScaleReadArgs {
    /// Port série de l'indicateur (/dev/ttyUSB0, COM3)
    #[arg(long, value_name = "PORT")]
    pub port: Option<String>,
    /// Protocole de l'indicateur : mt-sics, and ou xk3190
    #[arg(long, value_name = "mt-sics|and|xk3190")]
    pub protocol: Option<String>,
    /// Vitesse en bauds
    #[arg(long, default_value = "9600")]
    pub baud: String,
    /// Bits de données, parité, bits d'arrêt (8N1 ; beaucoup de balances A&D : 7E1)
    #[arg(long, default_value = "8N1")]
    pub format: String,
    /// Durée en millisecondes pendant laquelle le même poids doit être lu pour être pris
    #[arg(long, default_value = "1500", value_name = "MS")]
    pub stable_ms: String,
    /// Abandon après ce nombre de secondes sans poids stable
    #[arg(long, default_value = "10", value_name = "S")]
    pub timeout_s: String,
    /// Unité d'un indicateur qui ne l'envoie pas (xk3190) : kg (défaut), g, t ou lb
    #[arg(long)]
    pub unit: Option<String>,
    /// Portée de la balance en kg : un poids au-dessus est refusé comme une surcharge
    #[arg(long, value_name = "KG")]
    pub capacity_kg: Option<String>,
}

#[derive(Debug, Args)]
pub struct StandbyArgs {
    /// Dossier où garder les copies du bureau
    #[arg(long, value_name = "DOSSIER", default_value = "copies-du-bureau")]
    pub dir: PathBuf,
    /// Période entre deux reprises (ex. 5m, 10m)
    #[arg(long, default_value = "5m")]
    pub every: String,
    /// Une seule reprise, puis s'arrête
    #[arg(long)]
    pub once: bool,
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// Dossier où écrire la sauvegarde (par ex. une clé USB)
    #[arg(long, value_name = "DOSSIER")]
    pub to: Option<PathBuf>,
    #[command(subcommand)]
    pub action: Option<BackupCmd>,
}

#[derive(Debug, Subcommand)]
pub enum BackupCmd {
    /// Vérifie une sauvegarde sans la modifier (empreinte, intégrité, manifeste)
    Verify {
        /// Le fichier de sauvegarde (.sqlite, son manifeste à côté)
        file: PathBuf,
    },
    /// Liste les sauvegardes d'un dossier
    List {
        /// Le dossier des sauvegardes
        dir: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// Le fichier de sauvegarde à remettre en place (vérifié d'abord)
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct EncryptArgs {
    /// Nom de connexion du premier compte (par ex. « Bureau »)
    #[arg(long, value_name = "COMPTE")]
    pub account: String,
}

#[derive(Debug, Args)]
pub struct RecoverArgs {
    /// Nom de connexion du compte qui reçoit la nouvelle phrase secrète (défaut : SENE_ACCOUNT,
    /// ou le compte déjà là, ou « Bureau »)
    #[arg(long, value_name = "COMPTE")]
    pub account: Option<String>,
}

#[derive(Debug, Args)]
pub struct EnrollArgs {
    /// Adresse du bureau de l'union (http://… ou https://…)
    #[arg(long)]
    pub hub: String,
    /// Identifiant (UUID) de l'appareil, donné par le secrétariat
    #[arg(long)]
    pub device: String,
    /// Code d'appairage (à usage unique), donné par `sene hub pair`
    #[arg(long, value_name = "CODE")]
    pub pairing_code: String,
    /// Certificat (PEM) de l'autorité de l'union, pour un bureau en HTTPS auto-signé
    #[arg(long, value_name = "FICHIER")]
    pub ca: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Adresse du bureau (défaut : celle de l'enrôlement)
    #[arg(long)]
    pub hub: Option<String>,
    #[command(subcommand)]
    pub action: Option<SyncCmd>,
}

#[derive(Debug, Subcommand)]
pub enum SyncCmd {
    /// Écrit un fichier pour clé USB avec ce que l'autre côté n'a pas encore
    Export(SyncExportArgs),
    /// Lit un fichier de clé USB (authentifié) et fusionne son contenu
    Import(SyncImportArgs),
}

#[derive(Debug, Args)]
pub struct SyncExportArgs {
    /// Fichier à écrire
    #[arg(long, value_name = "FICHIER")]
    pub to: PathBuf,
    /// Au bureau : l'appareil destinataire (UUID ou préfixe de reçus)
    #[arg(long)]
    pub device: Option<String>,
    /// Sur un portable : tout ce qu'il détient, pas seulement ce que le bureau n'a pas encore
    /// (pour un bureau restauré depuis une sauvegarde)
    #[arg(long, conflicts_with = "device")]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct SyncImportArgs {
    /// Fichier à lire
    pub file: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum ConflictsCmd {
    /// Liste les conflits ouverts (--all : aussi les résolus)
    List {
        #[arg(long)]
        all: bool,
    },
    /// Résout un conflit : écrit la valeur choisie (JSON, ex. "approved" ou 120000) avec un motif
    Resolve {
        /// Identifiant du conflit
        id: String,
        /// Valeur retenue (une des valeurs en conflit) ; absente pour un doublon examiné
        #[arg(long)]
        value: Option<String>,
        /// Motif
        #[arg(long)]
        reason: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum HubCmd {
    /// Lance le serveur de synchronisation du bureau. Chaque option peut venir de
    /// l'environnement (le service sene-hub les lit dans /etc/sene/hub.env)
    Serve {
        /// Adresse d'écoute (ex. 0.0.0.0:8750)
        #[arg(long, env = "SENE_HUB_LISTEN", default_value = "127.0.0.1:8750")]
        listen: String,
        /// Certificat TLS (PEM) : sert en HTTPS
        #[arg(long, env = "SENE_HUB_CERT", requires = "key")]
        cert: Option<PathBuf>,
        /// Clé privée TLS (PEM)
        #[arg(long, env = "SENE_HUB_KEY", requires = "cert")]
        key: Option<PathBuf>,
        /// Dossier des sauvegardes automatiques (une au démarrage, puis à chaque période où la
        /// base a changé ; défaut : « sauvegardes » à côté de la base)
        #[arg(
            long,
            env = "SENE_HUB_BACKUP_DIR",
            value_name = "DOSSIER",
            conflicts_with = "no_backup"
        )]
        backup_dir: Option<PathBuf>,
        /// Période des sauvegardes automatiques (ex. 1h, 30m, 1d)
        #[arg(
            long,
            env = "SENE_HUB_BACKUP_EVERY",
            default_value = "30m",
            conflicts_with = "no_backup"
        )]
        backup_every: String,
        /// Aucune sauvegarde automatique (déconseillé : ni copie locale, ni machine de secours)
        #[arg(long)]
        no_backup: bool,
    },
    /// Fait l'autorité de certification de l'union (une fois) et le certificat HTTPS du bureau
    Cert {
        /// Nom ou adresse IP par lesquels les portables joignent le bureau (répétable)
        #[arg(long = "name", value_name = "NOM", required = true)]
        names: Vec<String>,
        /// Dossier où écrire les certificats et les clés
        #[arg(long, value_name = "DOSSIER", default_value = "certificats")]
        out: PathBuf,
        /// Validité du certificat du bureau, en jours
        #[arg(long, default_value_t = 825)]
        days: u32,
    },
    /// Appaire un appareil enregistré : donne un code à usage unique pour son enrôlement
    Pair {
        /// Appareil (UUID ou préfixe de reçus)
        #[arg(long)]
        device: String,
        /// Agent qui l'utilise (UUID ou nom)
        #[arg(
            long = "for",
            value_name = "AGENT",
            required_unless_present = "federation"
        )]
        for_agent: Option<String>,
        /// Coopératives de son périmètre (codes), répétable
        #[arg(long = "cooperative", value_name = "CODE")]
        cooperatives: Vec<String>,
        /// Fédération (lecture seule) : l'appareil enregistré pour la fédération lit tous les
        /// documents de l'union (toutes les coopératives) et n'en écrit aucun ; son agent, en
        /// lecture seule, est créé à son nom. Révocable comme tout appareil
        #[arg(long, conflicts_with_all = ["for_agent", "cooperatives"])]
        federation: bool,
    },
    /// Révoque un appareil (perdu, volé) : sa prochaine synchronisation est refusée
    Revoke {
        /// Appareil (UUID ou préfixe de reçus)
        #[arg(long)]
        device: String,
    },
    /// Liste les appareils appairés et enrôlés
    Devices,
}

/// `--id` of a write, for idempotent retries.
#[derive(Debug, Args)]
pub struct IdArg {
    /// Identifiant (UUID) à donner à l'enregistrement : relancer la même commande avec le même
    /// identifiant ne l'enregistre pas deux fois
    #[arg(long, value_name = "UUID")]
    pub id: Option<String>,
}

/// The first agent's name is the global `--agent`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Nom de l'union
    #[arg(long)]
    pub union: String,
    /// Région
    #[arg(long)]
    pub region: String,
    /// Nom de cet appareil
    #[arg(long, value_name = "NOM")]
    pub device_name: String,
    /// Préfixe des reçus de cet appareil (unique dans l'union)
    #[arg(long)]
    pub prefix: String,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Taille : absent = petite union d'exemple ; small = petite union générée ;
    /// union = union complète (150 coopératives, 6 000 membres…)
    #[arg(long, value_name = "small|union")]
    pub scale: Option<String>,
    /// Graine du générateur (avec --scale)
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

#[derive(Debug, Subcommand)]
pub enum CooperativeCmd {
    /// Enregistre une coopérative
    Add(CooperativeAdd),
    /// Liste les coopératives
    List,
}

#[derive(Debug, Args)]
pub struct CooperativeAdd {
    /// Code court (DIO), utilisé dans les numéros de membres
    #[arg(long)]
    pub code: String,
    #[arg(long)]
    pub name: String,
    #[arg(long)]
    pub village: String,
    #[arg(long)]
    pub commune: String,
    #[arg(long)]
    pub cercle: String,
    #[arg(long)]
    pub region: String,
    #[command(flatten)]
    pub id: IdArg,
}

#[derive(Debug, Subcommand)]
pub enum WarehouseCmd {
    /// Enregistre un magasin
    Add(WarehouseAdd),
    /// Liste les magasins
    List {
        /// Code de la coopérative
        #[arg(long)]
        cooperative: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct WarehouseAdd {
    /// Code de la coopérative
    #[arg(long)]
    pub cooperative: String,
    #[arg(long)]
    pub name: String,
    /// Capacité en kg
    #[arg(long)]
    pub capacity: Option<String>,
    #[command(flatten)]
    pub id: IdArg,
}

#[derive(Debug, Subcommand)]
pub enum AgentCmd {
    /// Enregistre un agent
    Add(AgentAdd),
    /// Liste les agents
    List,
}

#[derive(Debug, Args)]
pub struct AgentAdd {
    #[arg(long)]
    pub name: String,
    /// Rôle : field_agent (agent de terrain), ctc, secretariat, read_only
    #[arg(long)]
    pub role: String,
    #[arg(long)]
    pub phone: Option<String>,
    /// Code d'une coopérative suivie (répétable)
    #[arg(long = "cooperative", value_name = "CODE")]
    pub cooperatives: Vec<String>,
    #[command(flatten)]
    pub id: IdArg,
}

#[derive(Debug, Subcommand)]
pub enum DeviceCmd {
    /// Enregistre un appareil
    Add(DeviceAdd),
    /// Liste les appareils
    List,
}

#[derive(Debug, Args)]
pub struct DeviceAdd {
    #[arg(long)]
    pub label: String,
    /// Préfixe de reçus, unique dans l'union
    #[arg(long)]
    pub prefix: String,
    #[command(flatten)]
    pub id: IdArg,
}

#[derive(Debug, Subcommand)]
pub enum MemberCmd {
    /// Enregistre un membre
    Add(MemberAdd),
    /// Liste les membres
    List {
        /// Code de la coopérative
        #[arg(long)]
        cooperative: Option<String>,
    },
    /// Cherche un membre par nom, numéro ou téléphone
    Search {
        query: String,
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Affiche un membre et ses contrats
    Show {
        /// UUID ou numéro de membre (DIO-0042)
        member: String,
        /// Code de la coopérative, si le numéro existe dans plusieurs
        #[arg(long)]
        cooperative: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct MemberAdd {
    /// Code de la coopérative
    #[arg(long)]
    pub cooperative: String,
    /// Numéro de membre (DIO-0042)
    #[arg(long)]
    pub number: String,
    /// Nom complet
    #[arg(long)]
    pub name: String,
    /// Sexe : F ou M
    #[arg(long)]
    pub sex: String,
    #[arg(long = "birth-year")]
    pub birth_year: Option<String>,
    #[arg(long)]
    pub village: String,
    /// +223 et 8 chiffres
    #[arg(long)]
    pub phone: Option<String>,
    #[arg(long)]
    pub nina: Option<String>,
    /// Filière (répétable, ou séparées par des virgules) : riz, céréales sèches, échalote
    #[arg(long = "family", value_name = "FILIERE")]
    pub families: Vec<String>,
    /// Enregistrer malgré un doublon probable (après vérification)
    #[arg(long)]
    pub confirm: bool,
    #[command(flatten)]
    pub id: IdArg,
}

// Parsed once per run: the size of a variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum CampaignCmd {
    /// Ouvre une campagne
    Add(CampaignAdd),
    /// Liste les campagnes
    List,
    /// Affiche une campagne
    Show {
        /// Nom ou UUID
        campaign: String,
    },
}

#[derive(Debug, Args)]
pub struct CampaignAdd {
    #[arg(long)]
    pub name: String,
    /// Filière (défaut : celle de la première culture)
    #[arg(long)]
    pub family: Option<String>,
    /// Prix d'une culture : CULTURE=PRIX[:over=PRIX_SURPLUS] (répétable)
    #[arg(long = "price", value_name = "CULTURE=PRIX", required = true)]
    pub prices: Vec<String>,
    /// Part de l'avance (0.6 ou 60%) ; défaut 60 %
    #[arg(long = "advance-share")]
    pub advance_share: Option<String>,
    /// Frais : none, flat:0.02, interest:0.10
    #[arg(long, default_value = "none")]
    pub fee: String,
    /// Période des contrats : DEBUT..FIN
    #[arg(long)]
    pub contracts: String,
    /// Période des livraisons : DEBUT..FIN
    #[arg(long)]
    pub deliveries: String,
    /// Humidité maximale en % (défaut 14)
    #[arg(long = "max-moisture")]
    pub max_moisture: Option<String>,
    /// Impuretés maximales en % (défaut 2)
    #[arg(long = "max-impurity")]
    pub max_impurity: Option<String>,
    /// Tare d'un sac en kg (défaut 0,5)
    #[arg(long)]
    pub tare: Option<String>,
    /// Acheter le surplus livré au-delà de l'engagement (au prix over=)
    #[arg(long = "buy-over")]
    pub buy_over: bool,
    #[command(flatten)]
    pub id: IdArg,
}

/// How a contract is named: a UUID, or a member number when the member has one open contract.
#[derive(Debug, Args)]
pub struct ContractRef {
    /// Contrat : UUID, ou numéro du membre s'il n'a qu'un contrat en cours
    pub contract: String,
    #[command(flatten)]
    pub scope: Scope,
}

/// Narrows a member number or a contract lookup.
#[derive(Debug, Args)]
pub struct Scope {
    /// Code de la coopérative (pour un numéro de membre ambigu)
    #[arg(long)]
    pub cooperative: Option<String>,
    /// Campagne (nom ou UUID)
    #[arg(long)]
    pub campaign: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ContractCmd {
    /// Enregistre la demande de contrat d'un membre
    Request(ContractRequest),
    /// Approuve un contrat (CTC ou secrétariat)
    Approve(ContractDecision),
    /// Rejette un contrat (CTC ou secrétariat)
    Reject(ContractDecision),
    /// Annule un contrat
    Cancel(ContractDecision),
    /// Déclare un contrat défaillant
    Default(ContractDecision),
    /// Liste les contrats
    List(ContractList),
}

#[derive(Debug, Args)]
pub struct ContractRequest {
    /// Numéro ou UUID du membre
    #[arg(long)]
    pub member: String,
    /// Code de la coopérative (si le numéro est ambigu)
    #[arg(long)]
    pub cooperative: Option<String>,
    /// Campagne (nom ou UUID)
    #[arg(long)]
    pub campaign: String,
    /// Culture (défaut : la seule culture de la campagne)
    #[arg(long)]
    pub crop: Option<String>,
    /// Quantité engagée en kg
    #[arg(long)]
    pub kg: String,
    /// Date de la demande (défaut : aujourd'hui)
    #[arg(long)]
    pub date: Option<String>,
    #[command(flatten)]
    pub id: IdArg,
}

#[derive(Debug, Args)]
pub struct ContractDecision {
    #[command(flatten)]
    pub contract: ContractRef,
    /// Date de la décision (défaut : aujourd'hui)
    #[arg(long)]
    pub date: Option<String>,
}

#[derive(Debug, Args)]
pub struct ContractList {
    #[command(flatten)]
    pub scope: Scope,
    /// Numéro ou UUID du membre
    #[arg(long)]
    pub member: Option<String>,
}

#[derive(Debug, Args)]
pub struct DisburseArgs {
    /// Contrat : UUID, ou numéro du membre s'il n'a qu'un contrat en cours
    #[arg(long)]
    pub contract: String,
    #[command(flatten)]
    pub scope: Scope,
    /// Montant en FCFA (entier)
    #[arg(long)]
    pub amount: String,
    /// Date (défaut : aujourd'hui)
    #[arg(long)]
    pub date: Option<String>,
    /// Mode : cash (espèces) ou mobile_money
    #[arg(long, default_value = "cash")]
    pub mode: String,
    #[command(flatten)]
    pub id: IdArg,
}

#[derive(Debug, Subcommand)]
pub enum DeliveryCmd {
    /// Enregistre une livraison pesée
    Add(DeliveryAdd),
    /// Calcule le poids net, le poids accepté et la valeur, sans rien enregistrer
    Preview(DeliveryPreview),
    /// Liste les livraisons
    List {
        #[arg(long, default_value_t = 1000)]
        limit: u32,
    },
}

#[derive(Debug, Args)]
pub struct Weighing {
    /// Nombre de sacs
    #[arg(long)]
    pub bags: String,
    /// Poids brut en kg
    #[arg(long)]
    pub gross: String,
    /// Humidité en %
    #[arg(long)]
    pub moisture: String,
    /// Impuretés en %
    #[arg(long)]
    pub impurity: String,
}

#[derive(Debug, Args)]
pub struct DeliveryAdd {
    /// Contrat : UUID, ou numéro du membre s'il n'a qu'un contrat en cours
    #[arg(long)]
    pub contract: String,
    #[command(flatten)]
    pub scope: Scope,
    /// Membre (défaut : celui du contrat)
    #[arg(long)]
    pub member: Option<String>,
    /// Magasin (nom ou UUID ; défaut : le seul magasin de la coopérative du membre)
    #[arg(long)]
    pub warehouse: Option<String>,
    #[command(flatten)]
    pub weighing: Weighing,
    /// Poids tapé à la main : pourquoi (no_scale, scale_broken, no_stable_weight, power_cut,
    /// paper_ticket, other) ; gardé dans la livraison et imprimé sur le reçu
    #[arg(long)]
    pub hand_reason: Option<String>,
    /// Précision du motif (exigée avec « other »)
    #[arg(long, requires = "hand_reason")]
    pub hand_note: Option<String>,
    /// Date (défaut : aujourd'hui)
    #[arg(long)]
    pub date: Option<String>,
    #[command(flatten)]
    pub id: IdArg,
}

#[derive(Debug, Args)]
pub struct DeliveryPreview {
    /// Contrat (UUID ou numéro du membre) ; sinon --campaign et --crop
    #[arg(long)]
    pub contract: Option<String>,
    #[command(flatten)]
    pub scope: Scope,
    /// Culture (sans --contract)
    #[arg(long)]
    pub crop: Option<String>,
    #[command(flatten)]
    pub weighing: Weighing,
}

#[derive(Debug, Args)]
pub struct ReverseArgs {
    /// Type : disbursement, delivery, distribution, allocation, drawdown, repayment, payment,
    /// sale_lot
    #[arg(long)]
    pub kind: String,
    /// Identifiant (UUID) de l'enregistrement à annuler
    #[arg(long, value_name = "UUID")]
    pub record: String,
    /// Motif
    #[arg(long)]
    pub reason: String,
    /// Date (défaut : aujourd'hui)
    #[arg(long)]
    pub date: Option<String>,
    /// Identifiant (UUID) à donner à l'annulation : relancer la même commande avec le même
    /// identifiant ne l'enregistre pas deux fois
    #[arg(long = "id", alias = "reversal-id", value_name = "UUID")]
    pub reversal_id: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum FertilizerCmd {
    /// Catalogue des produits
    #[command(subcommand)]
    Product(ProductCmd),
    /// Besoin d'engrais d'un membre
    Need(NeedArgs),
    /// Commande groupée d'une coopérative
    #[command(name = "group-order")]
    GroupOrder(GroupOrderArgs),
    /// Bon de commande de l'union à un fournisseur
    #[command(name = "purchase-order")]
    PurchaseOrder(PurchaseOrderArgs),
    /// Réception de sacs dans un magasin
    Receive(ReceiveArgs),
    /// Remise de sacs à un membre
    Distribute(DistributeArgs),
}

#[derive(Debug, Subcommand)]
pub enum ProductCmd {
    /// Ajoute un produit au catalogue
    Add(ProductAdd),
    /// Liste le catalogue
    List,
}

#[derive(Debug, Args)]
pub struct ProductAdd {
    #[arg(long)]
    pub name: String,
    /// Poids du sac en kg
    #[arg(long = "bag-weight", default_value = "50")]
    pub bag_weight: String,
    /// Prix du sac aux membres, en FCFA
    #[arg(long)]
    pub price: String,
    #[command(flatten)]
    pub id: IdArg,
}

#[derive(Debug, Args)]
pub struct NeedArgs {
    #[arg(long)]
    pub member: String,
    #[arg(long)]
    pub cooperative: Option<String>,
    #[arg(long)]
    pub campaign: String,
    /// Produit (nom ou UUID)
    #[arg(long)]
    pub product: String,
    #[arg(long)]
    pub bags: String,
    #[command(flatten)]
    pub id: IdArg,
}

#[derive(Debug, Args)]
pub struct GroupOrderArgs {
    /// Code de la coopérative
    #[arg(long)]
    pub cooperative: String,
    #[arg(long)]
    pub campaign: String,
    #[arg(long)]
    pub product: String,
    #[arg(long)]
    pub bags: String,
    #[arg(long)]
    pub date: Option<String>,
    #[command(flatten)]
    pub id: IdArg,
}

#[derive(Debug, Args)]
pub struct PurchaseOrderArgs {
    #[arg(long)]
    pub campaign: String,
    #[arg(long)]
    pub supplier: String,
    #[arg(long)]
    pub product: String,
    #[arg(long)]
    pub bags: String,
    /// Coût du sac payé au fournisseur
    #[arg(long = "unit-cost")]
    pub unit_cost: String,
    #[arg(long)]
    pub date: Option<String>,
    #[command(flatten)]
    pub id: IdArg,
}

#[derive(Debug, Args)]
pub struct ReceiveArgs {
    /// Bon de commande (UUID)
    #[arg(long = "purchase-order")]
    pub purchase_order: String,
    /// Magasin (nom ou UUID, ou CODE/nom)
    #[arg(long)]
    pub warehouse: String,
    /// Sacs attendus (défaut : ceux du bon de commande)
    #[arg(long)]
    pub expected: Option<String>,
    /// Sacs reçus
    #[arg(long)]
    pub received: String,
    #[arg(long)]
    pub date: Option<String>,
    #[arg(long, default_value = "")]
    pub note: String,
    #[command(flatten)]
    pub id: IdArg,
}

#[derive(Debug, Args)]
pub struct DistributeArgs {
    #[arg(long)]
    pub member: String,
    #[arg(long)]
    pub cooperative: Option<String>,
    #[arg(long)]
    pub campaign: String,
    #[arg(long)]
    pub product: String,
    #[arg(long)]
    pub bags: String,
    /// Payé comptant (FCFA) ; le reste est déduit au règlement
    #[arg(long, default_value = "0")]
    pub cash: String,
    #[arg(long)]
    pub date: Option<String>,
    #[command(flatten)]
    pub id: IdArg,
}

#[derive(Debug, Subcommand)]
pub enum SaleLotCmd {
    /// Enregistre un lot de vente
    Add(SaleLotAdd),
    /// Marque un lot payé par l'acheteur
    Paid {
        /// UUID du lot
        lot: String,
    },
    /// Liste les lots
    List,
    /// Complément de prix : ce que les lots d'une culture ont fait au-dessus du prix de base
    /// (frais déduits) et, avec --per-kg, le complément par kg à payer au règlement
    Complement {
        #[arg(long)]
        campaign: String,
        /// Culture (sans elle : toutes les cultures de la campagne)
        #[arg(long)]
        crop: Option<String>,
        /// FCFA par kg compté (0 retire le complément)
        #[arg(long = "per-kg", requires = "crop")]
        per_kg: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct SaleLotAdd {
    #[arg(long)]
    pub campaign: String,
    #[arg(long)]
    pub crop: String,
    #[arg(long)]
    pub buyer: String,
    /// Stock pris : MAGASIN=KG (répétable ; magasin par nom, CODE/nom ou UUID)
    #[arg(long = "source", value_name = "MAGASIN=KG", required = true)]
    pub sources: Vec<String>,
    /// Prix au kg
    #[arg(long)]
    pub price: String,
    /// Frais (transport, manutention…)
    #[arg(long, default_value = "0")]
    pub costs: String,
    #[arg(long)]
    pub date: Option<String>,
    #[command(flatten)]
    pub id: IdArg,
}

#[derive(Debug, Subcommand)]
pub enum LenderCmd {
    /// Enregistre un prêteur
    Add {
        #[arg(long)]
        name: String,
        /// microfinance ou bank
        #[arg(long)]
        kind: String,
        #[command(flatten)]
        id: IdArg,
    },
    /// Liste les prêteurs
    List,
}

#[derive(Debug, Subcommand)]
pub enum CreditLineCmd {
    /// Ouvre une ligne de crédit
    Add(CreditLineAdd),
    /// Liste les lignes de crédit
    List,
}

#[derive(Debug, Args)]
pub struct CreditLineAdd {
    /// Prêteur (nom ou UUID)
    #[arg(long)]
    pub lender: String,
    /// Campagne financée (nom ou UUID)
    #[arg(long)]
    pub campaign: Option<String>,
    #[arg(long)]
    pub principal: String,
    /// Taux annuel (0.10 ou 10%)
    #[arg(long)]
    pub rate: String,
    #[arg(long)]
    pub start: String,
    #[arg(long)]
    pub maturity: String,
    /// Part couverte par un fonds de garantie (au plus 50 %)
    #[arg(long, default_value = "0")]
    pub guarantee: String,
    #[command(flatten)]
    pub id: IdArg,
}

#[derive(Debug, Subcommand)]
pub enum DrawdownCmd {
    /// Enregistre un tirage
    Add {
        /// Ligne de crédit (UUID)
        #[arg(long = "credit-line")]
        credit_line: String,
        #[arg(long)]
        amount: String,
        #[arg(long)]
        date: Option<String>,
        #[command(flatten)]
        id: IdArg,
    },
    /// Liste les tirages
    List,
}

#[derive(Debug, Subcommand)]
pub enum RepaymentCmd {
    /// Enregistre un remboursement au prêteur
    Add {
        /// Ligne de crédit (UUID)
        #[arg(long = "credit-line")]
        credit_line: String,
        #[arg(long)]
        principal: String,
        #[arg(long, default_value = "0")]
        interest: String,
        #[arg(long)]
        date: Option<String>,
        #[command(flatten)]
        id: IdArg,
    },
    /// Liste les remboursements
    List,
}

#[derive(Debug, Subcommand)]
pub enum AllocationCmd {
    /// Remet des fonds à un agent pour une coopérative
    Add {
        #[arg(long)]
        campaign: String,
        /// Agent qui reçoit les fonds (UUID ou nom)
        #[arg(long, value_name = "AGENT")]
        to_agent: String,
        /// Code de la coopérative
        #[arg(long)]
        cooperative: String,
        #[arg(long)]
        amount: String,
        #[arg(long)]
        date: Option<String>,
        #[command(flatten)]
        id: IdArg,
    },
    /// Liste les dotations
    List,
}

#[derive(Debug, Subcommand)]
pub enum PaymentCmd {
    /// Paie le solde d'un membre après règlement
    Add {
        #[arg(long)]
        member: String,
        #[arg(long)]
        cooperative: Option<String>,
        #[arg(long)]
        campaign: String,
        #[arg(long)]
        amount: String,
        #[arg(long)]
        date: Option<String>,
        #[arg(long, default_value = "cash")]
        mode: String,
        #[command(flatten)]
        id: IdArg,
    },
    /// Liste les paiements
    List,
}

#[derive(Debug, Subcommand)]
pub enum ImportCmd {
    /// Importe des membres (CSV , ou ; en UTF-8, ou XLSX), tout ou rien
    Members(ImportMembers),
}

#[derive(Debug, Args)]
pub struct ImportMembers {
    /// Fichier .csv ou .xlsx avec une ligne d'en-tête : cooperative, numero, nom, sexe,
    /// annee_naissance, village, telephone, nina, cultures
    pub file: PathBuf,
    /// Importer les lignes valides et lister les autres (sinon : rien n'est importé)
    #[arg(long = "skip-invalid")]
    pub skip_invalid: bool,
    /// Enregistrer aussi les doublons probables
    #[arg(long = "confirm-duplicates")]
    pub confirm_duplicates: bool,
    /// Mettre à jour les membres déjà inscrits (même coopérative, même numéro) : chaque champ
    /// qui change est une correction gardée dans leur historique
    #[arg(long)]
    pub update: bool,
    /// Motif des corrections faites par --update (défaut : « import de FICHIER »)
    #[arg(long, requires = "update")]
    pub reason: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ReportCmd {
    /// Règlement des membres : lignes par membre, totaux par coopérative et de campagne
    Settlement(SettlementArgs),
    /// Avancement : engagé/livré, avances dues/versées, recouvrement, engrais
    Campaign {
        /// Campagne (nom ou UUID) ; défaut : toutes
        #[arg(long)]
        campaign: Option<String>,
    },
    /// Portefeuille des prêteurs par coopérative : versé, recouvré en nature, encours, taux
    Portfolio {
        /// Campagne (nom ou UUID)
        #[arg(long)]
        campaign: String,
        /// Écrit le portefeuille en XLSX dans ce fichier
        #[arg(long, value_name = "FICHIER")]
        xlsx: Option<PathBuf>,
        /// Écrit le portefeuille en CSV dans ce fichier
        #[arg(long, value_name = "FICHIER")]
        csv: Option<PathBuf>,
        /// Style du CSV : fr (Excel en français : « ; », virgule décimale) ou intl (« , », point
        /// décimal) ; les deux en UTF-8 avec BOM
        #[arg(long = "csv-style", value_name = "fr|intl", default_value = "fr")]
        csv_style: String,
    },
    /// Tableau de bord d'une campagne (avancement par coopérative, culture, agent ; stock ;
    /// engrais ; prêteurs), avec ses exports
    Dashboard {
        /// Campagne (nom ou UUID)
        #[arg(long)]
        campaign: String,
        /// Date des caisses et des frais AAAA-MM-JJ (défaut : aujourd'hui)
        #[arg(long)]
        date: Option<String>,
        /// Écrit tout le tableau de bord en XLSX (une feuille par tableau) dans ce fichier
        #[arg(long, value_name = "FICHIER")]
        xlsx: Option<PathBuf>,
        /// Écrit l'avancement par coopérative en CSV dans ce fichier
        #[arg(long, value_name = "FICHIER")]
        csv: Option<PathBuf>,
        /// Style du CSV : fr (Excel en français : « ; », virgule décimale) ou intl (« , », point
        /// décimal) ; les deux en UTF-8 avec BOM
        #[arg(long = "csv-style", value_name = "fr|intl", default_value = "fr")]
        csv_style: String,
    },
    /// Caisse d'un agent (celui de --agent, sinon l'agent de cette base)
    Cash {
        /// Campagne (nom ou UUID) ; défaut : toutes
        #[arg(long)]
        campaign: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum SettlementCmd {
    /// Propose le règlement d'une campagne à une date, qu'un autre agent du secrétariat arrêtera
    Propose {
        /// Campagne (nom ou UUID)
        #[arg(long)]
        campaign: String,
        /// Date du règlement AAAA-MM-JJ (défaut : aujourd'hui)
        #[arg(long)]
        date: Option<String>,
    },
    /// Calcule et arrête (verrouille) le règlement d'une campagne à une date, proposé par un autre agent du secrétariat
    Lock {
        /// Campagne (nom ou UUID)
        #[arg(long)]
        campaign: String,
        /// Date du règlement AAAA-MM-JJ (défaut : aujourd'hui)
        #[arg(long)]
        date: Option<String>,
        /// Règlement corrigé par celui-ci (UUID)
        #[arg(long)]
        replaces: Option<String>,
        /// Note
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Liste les règlements arrêtés
    List {
        /// Campagne (nom ou UUID) ; défaut : toutes
        #[arg(long)]
        campaign: Option<String>,
    },
    /// Affiche un règlement arrêté, et les enregistrements arrivés après
    Show {
        /// Règlement (UUID)
        id: String,
        /// Écrit le règlement en XLSX dans ce fichier
        #[arg(long, value_name = "FICHIER")]
        xlsx: Option<PathBuf>,
        /// Écrit le règlement en CSV dans ce fichier
        #[arg(long, value_name = "FICHIER")]
        csv: Option<PathBuf>,
        /// Style du CSV : fr (Excel en français : « ; », virgule décimale) ou intl (« , », point
        /// décimal) ; les deux en UTF-8 avec BOM
        #[arg(long = "csv-style", value_name = "fr|intl", default_value = "fr")]
        csv_style: String,
    },
    /// Écrit un relevé PDF par membre et une liste de paiement par coopérative
    Statements {
        /// Règlement (UUID)
        id: String,
        /// Dossier de sortie
        #[arg(long, value_name = "DOSSIER")]
        out: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct SettlementArgs {
    /// Campagne (nom ou UUID) ; défaut : toutes
    #[arg(long)]
    pub campaign: Option<String>,
    /// Date du règlement (défaut : aujourd'hui)
    #[arg(long)]
    pub date: Option<String>,
    /// Seulement cette coopérative (code)
    #[arg(long)]
    pub cooperative: Option<String>,
    /// Seulement ce membre (numéro ou UUID)
    #[arg(long)]
    pub member: Option<String>,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Nombre de lignes (les plus récentes)
    #[arg(long, default_value_t = 50)]
    pub limit: u32,
}

#[derive(Debug, Args)]
pub struct TableArgs {
    /// Nom de la table (disbursements, deliveries, reversals, receptions…)
    pub name: String,
    #[arg(long, default_value_t = 1000)]
    pub limit: u32,
}

#[derive(Debug, Subcommand)]
pub enum AnomaliesCmd {
    /// Liste les anomalies ouvertes d'une campagne (clé, nature, éléments)
    List {
        /// Campagne (nom ou UUID)
        #[arg(long)]
        campaign: String,
    },
    /// Résout une anomalie avec un motif (elle revient si ses éléments changent)
    Resolve {
        /// Clé de l'anomalie (voir `sene anomalies list`)
        key: String,
        /// Campagne (nom ou UUID)
        #[arg(long)]
        campaign: String,
        /// Motif de la résolution (obligatoire)
        #[arg(long)]
        note: String,
    },
    /// Journal des résolutions d'une campagne : qui, quand, pourquoi
    Log {
        /// Campagne (nom ou UUID)
        #[arg(long)]
        campaign: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum StockCmd {
    /// Enregistre un comptage physique du stock d'un magasin
    Count {
        /// Magasin (nom, CODE/nom ou UUID)
        #[arg(long)]
        warehouse: String,
        /// Campagne (nom ou UUID)
        #[arg(long)]
        campaign: String,
        /// Poids compté en kg (ex. 12 500 ou 1 234,5)
        #[arg(long)]
        kg: String,
        /// Date du comptage AAAA-MM-JJ (défaut : aujourd'hui)
        #[arg(long)]
        date: Option<String>,
        /// Note
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Liste les comptages d'une campagne
    List {
        /// Campagne (nom ou UUID)
        #[arg(long)]
        campaign: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum CashCmd {
    /// Enregistre l'argent rendu par un agent (--from) ; l'agent de cette base (ou de --agent)
    /// le reçoit
    Return {
        /// Agent qui rend l'argent (nom ou UUID)
        #[arg(long, value_name = "AGENT")]
        from: Option<String>,
        /// Campagne (nom ou UUID)
        #[arg(long)]
        campaign: String,
        /// Montant rendu en FCFA (francs entiers, > 0)
        #[arg(long)]
        amount: String,
        /// Date du retour AAAA-MM-JJ (défaut : aujourd'hui)
        #[arg(long)]
        date: Option<String>,
        /// Note (compté, attendu…)
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Liste l'argent rendu par les agents pour une campagne
    List {
        /// Campagne (nom ou UUID)
        #[arg(long)]
        campaign: String,
    },
}

// ---------------------------------------------------------------------------------------------
// The registry lives (issue #18): corrections, departures, transfers, closings, each with a
// reason kept in the record's history. Each command group is its registration commands plus
// these, flattened into one list of subcommands.

/// `sene member …`.
#[derive(Debug, Subcommand)]
pub enum MemberCommands {
    #[command(flatten)]
    Org(MemberCmd),
    #[command(flatten)]
    Registry(MemberChangeCmd),
    #[command(flatten)]
    Cards(MemberCardCmd),
}

/// Member cards and what a reader scans (issue #21).
#[derive(Debug, Subcommand)]
pub enum MemberCardCmd {
    /// Écrit les cartes des membres actifs d'une coopérative (PDF A4, dix cartes par page,
    /// code QR lu par un lecteur à la pesée)
    Cards {
        /// Code ou UUID de la coopérative
        #[arg(long)]
        cooperative: String,
        /// Fichier PDF à écrire (par défaut cartes-<code>.pdf ici)
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
    /// Lit un code scanné : une carte de membre (le membre) ou un ticket de pesée (si le
    /// papier correspond aux livres)
    Scan {
        /// Le texte tapé par le lecteur
        text: String,
    },
}

/// `sene cooperative …`.
#[derive(Debug, Subcommand)]
pub enum CooperativeCommands {
    #[command(flatten)]
    Org(CooperativeCmd),
    #[command(flatten)]
    Registry(CooperativeChangeCmd),
}

/// `sene warehouse …`.
#[derive(Debug, Subcommand)]
pub enum WarehouseCommands {
    #[command(flatten)]
    Org(WarehouseCmd),
    #[command(flatten)]
    Registry(WarehouseChangeCmd),
}

/// `sene agent …`.
#[derive(Debug, Subcommand)]
pub enum AgentCommands {
    #[command(flatten)]
    Org(AgentCmd),
    #[command(flatten)]
    Registry(AgentChangeCmd),
}

/// A member named on the command line: UUID, or number in the cooperative.
#[derive(Debug, Args)]
pub struct MemberKey {
    /// UUID ou numéro de membre (DIO-0042)
    pub member: String,
    /// Code de la coopérative, si le numéro existe dans plusieurs
    #[arg(long)]
    pub cooperative: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum MemberChangeCmd {
    /// Corrige la fiche d'un membre : seuls les champs donnés changent, avec un motif
    /// (obligatoire) gardé dans son historique
    Correct(MemberCorrect),
    /// Enregistre le départ d'un membre (parti, décédé, exclu) à une date, avec un motif
    Depart(MemberDepart),
    /// Annule un départ enregistré par erreur, avec un motif
    Reinstate {
        #[command(flatten)]
        who: MemberKey,
        /// Motif (obligatoire)
        #[arg(long)]
        reason: Option<String>,
        #[command(flatten)]
        id: IdArg,
    },
    /// Transfère un membre dans une autre coopérative de l'union (secrétariat) : une nouvelle
    /// fiche et un nouveau numéro là-bas ; ses contrats et livraisons restent où ils ont été faits
    Transfer(MemberTransfer),
    /// Historique d'une fiche : corrections, départ, réintégration, transfert (quand, quoi,
    /// ancienne → nouvelle valeur, motif, agent, appareil)
    History {
        #[command(flatten)]
        who: MemberKey,
    },
}

#[derive(Debug, Args)]
pub struct MemberCorrect {
    #[command(flatten)]
    pub who: MemberKey,
    /// Nouveau numéro de membre
    #[arg(long)]
    pub number: Option<String>,
    /// Nom complet corrigé
    #[arg(long)]
    pub name: Option<String>,
    /// Sexe : F ou M
    #[arg(long)]
    pub sex: Option<String>,
    /// Année de naissance ; --birth-year "" ou --no-birth-year : inconnue
    #[arg(long = "birth-year", conflicts_with = "no_birth_year")]
    pub birth_year: Option<String>,
    /// L'année de naissance n'est pas connue (l'efface)
    #[arg(long = "no-birth-year")]
    pub no_birth_year: bool,
    /// Village corrigé
    #[arg(long)]
    pub village: Option<String>,
    /// +223 et 8 chiffres ; --phone "" ou --no-phone : plus de téléphone
    #[arg(long, conflicts_with = "no_phone")]
    pub phone: Option<String>,
    /// Le membre n'a plus de téléphone (l'efface)
    #[arg(long = "no-phone")]
    pub no_phone: bool,
    /// NINA ; --nina "" ou --no-nina : l'efface (saisi par erreur)
    #[arg(long, conflicts_with = "no_nina")]
    pub nina: Option<String>,
    /// Efface le NINA (saisi par erreur)
    #[arg(long = "no-nina")]
    pub no_nina: bool,
    /// Filière (répétable, ou séparées par des virgules ; remplacent les anciennes) : riz,
    /// céréales sèches, échalote ; --family "" : aucune
    #[arg(long = "family", value_name = "FILIERE")]
    pub families: Vec<String>,
    /// Motif de la correction (obligatoire : il reste dans l'historique du membre)
    #[arg(long)]
    pub reason: Option<String>,
    #[command(flatten)]
    pub id: IdArg,
}

#[derive(Debug, Args)]
pub struct MemberDepart {
    #[command(flatten)]
    pub who: MemberKey,
    /// Nature du départ : parti (left), décédé (deceased) ou exclu (excluded)
    #[arg(long, default_value = "parti")]
    pub status: String,
    /// Date du départ AAAA-MM-JJ (défaut : aujourd'hui ; ni future, ni avant l'inscription)
    #[arg(long)]
    pub date: Option<String>,
    /// Motif (obligatoire)
    #[arg(long)]
    pub reason: Option<String>,
    #[command(flatten)]
    pub id: IdArg,
}

#[derive(Debug, Args)]
pub struct MemberTransfer {
    #[command(flatten)]
    pub who: MemberKey,
    /// Code de la coopérative qu'elle rejoint
    #[arg(long, value_name = "CODE")]
    pub to_cooperative: String,
    /// Son numéro dans la coopérative qu'elle rejoint
    #[arg(long = "new-number", value_name = "NUMERO")]
    pub new_number: String,
    /// Date du transfert AAAA-MM-JJ (défaut : aujourd'hui)
    #[arg(long)]
    pub date: Option<String>,
    /// Motif (obligatoire)
    #[arg(long)]
    pub reason: Option<String>,
    #[command(flatten)]
    pub id: IdArg,
}

#[derive(Debug, Subcommand)]
pub enum CooperativeChangeCmd {
    /// Corrige une coopérative (secrétariat) : seuls les champs donnés changent, avec un motif
    Correct {
        /// Code ou UUID de la coopérative
        cooperative: String,
        /// Nouveau code
        #[arg(long)]
        code: Option<String>,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        village: Option<String>,
        #[arg(long)]
        commune: Option<String>,
        #[arg(long)]
        cercle: Option<String>,
        #[arg(long)]
        region: Option<String>,
        /// Motif (obligatoire)
        #[arg(long)]
        reason: Option<String>,
        #[command(flatten)]
        id: IdArg,
    },
}

#[derive(Debug, Subcommand)]
pub enum WarehouseChangeCmd {
    /// Renomme un magasin ou change sa capacité (secrétariat), avec un motif
    Correct {
        /// Magasin (nom, CODE/nom ou UUID)
        warehouse: String,
        /// Nouveau nom
        #[arg(long)]
        name: Option<String>,
        /// Capacité en kg ; --capacity "" : sans capacité connue
        #[arg(long)]
        capacity: Option<String>,
        /// Motif (obligatoire)
        #[arg(long)]
        reason: Option<String>,
        #[command(flatten)]
        id: IdArg,
    },
    /// Ferme un magasin à une date (secrétariat) : plus de livraison dedans ; son stock et son
    /// historique restent
    Close {
        /// Magasin (nom, CODE/nom ou UUID)
        warehouse: String,
        /// Date de fermeture AAAA-MM-JJ (défaut : aujourd'hui)
        #[arg(long)]
        date: Option<String>,
        /// Motif (obligatoire)
        #[arg(long)]
        reason: Option<String>,
        #[command(flatten)]
        id: IdArg,
    },
}

#[derive(Debug, Subcommand)]
pub enum AgentChangeCmd {
    /// Corrige le nom ou le téléphone d'un agent (secrétariat), avec un motif
    Correct {
        /// Agent (UUID ou nom)
        #[arg(value_name = "AGENT")]
        name_or_id: String,
        /// Nom corrigé
        #[arg(long)]
        name: Option<String>,
        /// +223 et 8 chiffres ; --phone "" ou --no-phone : plus de téléphone
        #[arg(long, conflicts_with = "no_phone")]
        phone: Option<String>,
        /// L'agent n'a plus de téléphone (l'efface)
        #[arg(long = "no-phone")]
        no_phone: bool,
        /// Motif (obligatoire)
        #[arg(long)]
        reason: Option<String>,
        #[command(flatten)]
        id: IdArg,
    },
    /// Enregistre qu'un agent a quitté le service à une date (secrétariat) : il n'enregistre
    /// plus rien ; ce qu'il a enregistré reste à son nom
    Left {
        /// Agent (UUID ou nom)
        #[arg(value_name = "AGENT")]
        name_or_id: String,
        /// Date du départ AAAA-MM-JJ (défaut : aujourd'hui)
        #[arg(long)]
        date: Option<String>,
        /// Motif (obligatoire)
        #[arg(long)]
        reason: Option<String>,
        #[command(flatten)]
        id: IdArg,
    },
}
