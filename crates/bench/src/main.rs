//! `vpsd-bench`: what `bench/run.sh` needs besides `vpsd` and `wrk`.
//!
//! - `seed`: gives an account (made with `vpsd account create`) 1,000
//!   domains and adds 1,000,000 more domains across 10,000 other accounts. Rows are generated inside the
//!   database (a recursive CTE on SQLite, `generate_series` on PostgreSQL),
//!   so seeding a million rows takes seconds.
//! - `baseline`: a minimal axum server answering a fixed body of a given
//!   size, built with the same profile: the yardstick our figures are
//!   divided by.
//! - `seed-zones`, `export-nsd`, `queries`: the DNS benchmark's zones in
//!   vpsd's database, the same zones as NSD zone files, and dnsperf's
//!   questions (bench/dns.sh); `seed-records`, one zone of 100,000
//!   records for the zone transfer benchmark (bench/dns-transfer.sh).

mod dns;

use std::net::SocketAddr;

use anyhow::Context;
use axum::routing::get;
use axum::Router;
use clap::{Parser, Subcommand};

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Seed {
        #[arg(long)]
        database: String,
        /// The account that gets the 1,000 domains (create it first).
        #[arg(long)]
        account: i64,
        #[arg(long, default_value_t = 1_000)]
        main_domains: i64,
        #[arg(long, default_value_t = 10_000)]
        accounts: i64,
        #[arg(long, default_value_t = 1_000_000)]
        domains: i64,
    },
    Baseline {
        #[arg(long)]
        listen: SocketAddr,
        #[arg(long)]
        body_size: usize,
    },
    /// Gives an account `--zones` domains with five DNS records each.
    SeedZones {
        #[arg(long)]
        database: String,
        #[arg(long)]
        account: i64,
        #[arg(long, default_value_t = 10_000)]
        zones: i64,
    },
    /// Adds `--records` TXT records to the seeded zone `zone-N.com`
    /// (past the API's 1,000 a zone: the nameserver serves what the
    /// database holds), for the zone transfer benchmark.
    SeedRecords {
        #[arg(long)]
        database: String,
        #[arg(long, default_value_t = 1)]
        zone: i64,
        #[arg(long, default_value_t = 100_000)]
        records: i64,
    },
    /// Writes the zones vpsd serves as zone files and an nsd.conf.
    ExportNsd {
        #[arg(long)]
        database: String,
        #[arg(long)]
        dir: std::path::PathBuf,
        #[arg(long)]
        port: u16,
    },
    /// Writes a dnsperf query file over the seeded zones.
    Queries {
        #[arg(long)]
        out: std::path::PathBuf,
        #[arg(long, default_value_t = 10_000)]
        zones: i64,
        #[arg(long, default_value_t = 100_000)]
        count: usize,
    },
}

struct Main {
    id: i64,
}

/// Inserts `count` domains for accounts `first_account..first_account+accounts`
/// (round robin), named `{prefix}{n}.com`.
pub(crate) fn domains_sql(
    postgres: bool,
    prefix: &str,
    count: i64,
    first_account: i64,
    accounts: i64,
) -> String {
    let columns = "account_id, domain_name, status, registration_date, expiration_date, \
         auto_renew, locked, privacy_protection, nameservers, registrar, updated_at";
    let (series, now, far) = if postgres {
        (
            format!("SELECT generate_series(1, {count}) AS i"),
            "now()",
            "now() + interval '2 years'",
        )
    } else {
        (
            format!(
                "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {count}) SELECT i FROM s"
            ),
            "strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')",
            "strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now', '+2 years')",
        )
    };
    format!(
        "INSERT INTO domains ({columns}) SELECT {first_account} + (i % {accounts}), '{prefix}' || i || '.com', 'active', \
         {now}, {far}, TRUE, TRUE, TRUE, 'ns1.vps.org,ns2.vps.org', 'VPS.org', {now} FROM ({series}) AS series"
    )
}

async fn seed(
    database: &str,
    account: i64,
    main_domains: i64,
    accounts: i64,
    domains: i64,
) -> anyhow::Result<()> {
    // Migrations, and a check that the account exists.
    let store = vpsd_storage::connect(database).await?;
    store
        .account(account.into())
        .await?
        .with_context(|| format!("no account {account}: create it with vpsd account create"))?;
    drop(store);
    let main = Main { id: account };
    let postgres = database.starts_with("postgres");
    let statements = [
        domains_sql(postgres, "main-", main_domains, main.id, 1),
        if postgres {
            format!(
                "INSERT INTO accounts (email, balance_cents, created_at) \
                 SELECT 'user' || i || '@example.com', 0, now() FROM generate_series(1, {accounts}) AS i"
            )
        } else {
            format!(
                "INSERT INTO accounts (email, balance_cents, created_at) \
                 WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {accounts}) \
                 SELECT 'user' || i || '@example.com', 0, strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now') FROM s"
            )
        },
        domains_sql(postgres, "other-", domains, main.id + 1, accounts),
        // The triggers logged each seeded row for the nameserver; a bulk
        // seed is not a change anyone follows.
        "DELETE FROM dns_changes".to_owned(),
        // After a bulk load, as an operator would: statistics, and on
        // PostgreSQL the vacuum that autovacuum would otherwise run in the
        // middle of the measurements (it did: list p99 moved by 5 ms).
        if postgres {
            "VACUUM ANALYZE"
        } else {
            "ANALYZE"
        }
        .to_owned(),
    ];
    execute(database, &statements).await
}

/// Runs `statements` in order on one connection.
pub(crate) async fn execute(database: &str, statements: &[String]) -> anyhow::Result<()> {
    use sqlx::Connection;
    if database.starts_with("postgres") {
        let mut conn = sqlx::PgConnection::connect(database).await?;
        for s in statements {
            sqlx::query(s)
                .execute(&mut conn)
                .await
                .with_context(|| s.clone())?;
        }
    } else {
        let mut conn = sqlx::SqliteConnection::connect(database).await?;
        for s in statements {
            sqlx::query(s)
                .execute(&mut conn)
                .await
                .with_context(|| s.clone())?;
        }
    }
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Seed {
            database,
            account,
            main_domains,
            accounts,
            domains,
        } => seed(&database, account, main_domains, accounts, domains).await,
        Command::SeedZones {
            database,
            account,
            zones,
        } => dns::seed(&database, account, zones).await,
        Command::SeedRecords {
            database,
            zone,
            records,
        } => dns::seed_records(&database, zone, records).await,
        Command::ExportNsd {
            database,
            dir,
            port,
        } => dns::export_nsd(&database, &dir, port).await,
        Command::Queries { out, zones, count } => dns::queries(&out, zones, count),
        Command::Baseline { listen, body_size } => {
            let body: &'static str = Box::leak("x".repeat(body_size).into_boxed_str());
            let app = Router::new().route(
                "/",
                get(move || async move { ([("content-type", "application/json")], body) }),
            );
            let listener = tokio::net::TcpListener::bind(listen).await?;
            axum::serve(listener, app).await?;
            Ok(())
        }
    }
}
