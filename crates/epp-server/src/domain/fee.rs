//! Fees (RFC 8748, `urn:ietf:params:xml:ns:epp:fee-1.0`): the registry's
//! prices in `<domain:check>` answers (`<fee:check>` → `<fee:chkData>`,
//! §3.1.1, §5.1.1), and the fee a registrar agrees to with
//! `<domain:create>`, `<domain:renew>` and a transfer request
//! (`<fee:create>`, `<fee:renew>`, `<fee:transfer>` → `<fee:creData>`,
//! `<fee:renData>`, `<fee:trnData>`, §5.2), and a restore request with
//! `<fee:update>` → `<fee:updData>` (§5.2.5). A premium name (the
//! operator's, `vpsd registry premium set`) is created, renewed,
//! transferred or restored only with a `<fee:fee>` at least its fee, else 2004
//! (§3.8); a standard name costs its TLD's list price, and a fee given for
//! it must cover that too. Fees are in US dollars only: another
//! `<fee:currency>` is 2306 (§3.4).

use chrono::{DateTime, Utc};
use roxmltree::Node;
use vpsd_domain::pricing::RESTORE_FEE;
use vpsd_domain::DomainName;
use vpsd_registry::{amount_cents, format_cents, SandboxRegistry, FEE_CLASS_PREMIUM, FEE_NS};

use crate::response::{attr, Answer, Xml};
use crate::session::{child, child_text, elements, is, store_failed};

/// The one currency the sandbox registry charges in.
const CURRENCY: &str = "USD";

/// What the registry charges for one name, in cents: create and renew for
/// `years` years, a transfer (one year), a restore.
struct Schedule {
    premium: bool,
    years: u32,
    create: i64,
    renew: i64,
    transfer: i64,
    restore: i64,
}

impl Schedule {
    fn of(&self, command: &str) -> Option<i64> {
        match command {
            "create" => Some(self.create),
            "renew" => Some(self.renew),
            "transfer" => Some(self.transfer),
            "restore" => Some(self.restore),
            _ => None,
        }
    }
}

/// The registry's fees for `name` over `years` years: the operator's
/// premium prices, else the TLD's list prices (the sandbox has no
/// wholesale price table of its own).
async fn schedule(
    registry: &SandboxRegistry,
    name: &DomainName,
    years: u32,
    now: DateTime<Utc>,
) -> Result<Schedule, Answer> {
    let list = name.tld().prices();
    let y = i64::from(years);
    let standard = Schedule {
        premium: false,
        years,
        create: list.register.cents() * y,
        renew: list.renew.cents() * y,
        transfer: list.transfer.cents(),
        restore: RESTORE_FEE.cents(),
    };
    match registry.premium_fees(name.as_str(), years, now).await {
        Ok(Some(f)) => Ok(Schedule {
            premium: true,
            create: f.create.unwrap_or(standard.create),
            renew: f.renew.unwrap_or(standard.renew),
            transfer: f.transfer.unwrap_or(standard.transfer),
            ..standard
        }),
        Ok(None) => Ok(standard),
        Err(e) => Err(store_failed(e)),
    }
}

/// 2306 unless `<fee:currency>` (when given) is ours (RFC 8748 §3.4).
fn currency_is_ours(fee: Node<'_, '_>) -> Result<(), Answer> {
    match child_text(fee, FEE_NS, "currency").map(str::trim) {
        Some(c) if !c.eq_ignore_ascii_case(CURRENCY) => Err(Answer::fail(
            2306,
            format!("fees are in {CURRENCY}, not {c}"),
        )),
        _ => Ok(()),
    }
}

/// `<fee:period>` in years (1 when absent).
fn period(command: Node<'_, '_>) -> Result<u32, Answer> {
    let Some(p) = child(command, FEE_NS, "period") else {
        return Ok(1);
    };
    let value: u32 = p
        .text()
        .unwrap_or("")
        .trim()
        .parse()
        .map_err(|_| Answer::fail(2005, "<fee:period> is not a number"))?;
    let years = match p.attribute("unit") {
        Some("y") => value,
        Some("m") if value % 12 == 0 => value / 12,
        _ => return Err(Answer::fail(2306, "<fee:period> is whole years")),
    };
    if !(1..=10).contains(&years) {
        return Err(Answer::fail(2004, "<fee:period> is 1 to 10 years"));
    }
    Ok(years)
}

/// `<fee:chkData>` for `<fee:check>` `fee` about `names` (RFC 8748
/// §5.1.1): per name its class (`premium` or `standard`) and the fee of
/// each command asked.
pub(crate) async fn check_data(
    registry: &SandboxRegistry,
    names: &[&str],
    fee: Node<'_, '_>,
    now: DateTime<Utc>,
) -> Result<String, Answer> {
    if !is(fee, FEE_NS, "check") {
        return Err(Answer::fail(2005, "<domain:check> carries <fee:check>"));
    }
    currency_is_ours(fee)?;
    let mut commands = Vec::new();
    for c in elements(fee).filter(|c| is(*c, FEE_NS, "command")) {
        let Some(name) = c.attribute("name") else {
            return Err(Answer::fail(2003, "<fee:command> needs its name"));
        };
        if !matches!(name, "create" | "renew" | "transfer" | "restore") {
            return Err(Answer::fail(
                2306,
                format!("fees are told for create, renew, transfer and restore, not {name}"),
            ));
        }
        commands.push((name, period(c)?));
    }
    if commands.is_empty() {
        return Err(Answer::fail(2003, "<fee:check> names no <fee:command>"));
    }
    let mut x = Xml::default();
    x.open("fee:chkData", &attr("xmlns:fee", FEE_NS))
        .text("fee:currency", "", CURRENCY);
    for raw in names {
        let name = match DomainName::parse(raw) {
            Ok(n) => n,
            Err(e) => {
                x.open("fee:cd", &attr("avail", "0"))
                    .text("fee:objID", "", raw)
                    .text("fee:reason", "", &e.to_string())
                    .close("fee:cd");
                continue;
            }
        };
        // (command, standard, period, fee in cents) of each command asked.
        let mut told = Vec::new();
        let mut class = "standard";
        for (command, years) in &commands {
            // A transfer adds one year, a restore none (RFC 8748 §3.3).
            let years = if matches!(*command, "create" | "renew") {
                *years
            } else {
                1
            };
            let s = schedule(registry, &name, years, now).await?;
            if s.premium {
                class = FEE_CLASS_PREMIUM;
            }
            let period = (*command != "restore").then_some(s.years);
            told.push((*command, !s.premium, period, s.of(command).unwrap_or(0)));
        }
        x.open("fee:cd", &attr("avail", "1"))
            .text("fee:objID", "", name.as_str())
            .text("fee:class", "", class);
        for (command, standard, period, cents) in told {
            let mut attrs = attr("name", command);
            if standard {
                attrs.push_str(&attr("standard", "1"));
            }
            x.open("fee:command", &attrs);
            if let Some(years) = period {
                x.text("fee:period", &attr("unit", "y"), &years.to_string());
            }
            x.text("fee:fee", "", &format_cents(cents))
                .close("fee:command");
        }
        x.close("fee:cd");
    }
    x.close("fee:chkData");
    Ok(x.into_string())
}

/// The fee of `command` (`create`, `renew`, `transfer`, `restore`) on `name` over `years` years,
/// against the `<fee:create>`/`<fee:renew>` the client sent (`fee`):
/// 2004 when the name is premium and no fee, or too little, was given, or
/// when the fee given is below a standard name's price (RFC 8748 §3.8).
/// Else the answer's `<fee:creData>`/`<fee:renData>`/`<fee:trnData>` with
/// the fee charged,
/// when the client gave one or the name is premium.
pub(crate) async fn agree(
    registry: &SandboxRegistry,
    name: &str,
    command: &str,
    years: u32,
    fee: Option<Node<'_, '_>>,
    now: DateTime<Utc>,
) -> Result<Option<String>, Answer> {
    let Ok(parsed) = DomainName::parse_stored(name) else {
        return Ok(None);
    };
    // A restore is an update (RFC 8748 §5.2.5: `<fee:update>`).
    let element = if command == "restore" {
        "update"
    } else {
        command
    };
    if let Some(f) = fee {
        if !is(f, FEE_NS, element) {
            return Err(Answer::fail(
                2005,
                format!(
                    "<fee:{}> does not go with <domain:{element}>",
                    f.tag_name().name()
                ),
            ));
        }
        currency_is_ours(f)?;
    }
    let s = schedule(registry, &parsed, years, now).await?;
    let due = s.of(command).unwrap_or(0);
    let given = match fee {
        None => None,
        Some(f) => {
            let mut sum: i64 = 0;
            for amount in elements(f).filter(|e| is(*e, FEE_NS, "fee")) {
                let text = amount.text().unwrap_or("");
                let Some(cents) = amount_cents(text, false) else {
                    return Err(Answer::fail(
                        2005,
                        format!("<fee:fee> {text} is not an amount"),
                    ));
                };
                sum = sum.saturating_add(cents);
            }
            Some(sum)
        }
    };
    let enough = given.is_some_and(|g| g >= due);
    if (s.premium || given.is_some()) && !enough {
        let what = if s.premium { "premium name" } else { "name" };
        return Err(Answer::fail(
            2004,
            format!(
                "{name} is a {what}: its {command} for {} year(s) costs {CURRENCY} {}; agree to it with <fee:fee>",
                s.years,
                format_cents(due)
            ),
        ));
    }
    if given.is_none() {
        return Ok(None);
    }
    let tag = match command {
        "create" => "fee:creData",
        "renew" => "fee:renData",
        "restore" => "fee:updData",
        _ => "fee:trnData",
    };
    let mut x = Xml::default();
    x.open(tag, &attr("xmlns:fee", FEE_NS))
        .text("fee:currency", "", CURRENCY)
        .text("fee:fee", "", &format_cents(due))
        .close(tag);
    Ok(Some(x.into_string()))
}
