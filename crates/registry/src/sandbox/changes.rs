//! The registry's own changes to a registrar's names, made by its operator
//! (`vpsd registry renew`, `vpsd registry delete`, `vpsd registry status`),
//! each told to the
//! sponsoring registrar by a change poll message (RFC 8590
//! `<changePoll:changeData>`) in its poll queue.

use super::*;
use vpsd_storage::{ChangeNotice, NewChangeMessage};

/// Who makes the operator's changes (`<changePoll:who>`).
const OPERATOR: &str = "registry operator";

impl SandboxRegistry {
    /// The registry renews `name` for its sponsor by `years` years from its
    /// current expiry, and queues a change poll message to the sponsor:
    /// operation `autoRenew` when `auto` (the registry's auto-renewal at
    /// expiry, RFC 8590 §3.1), else `renew`. The record after.
    ///
    /// # Errors
    /// `NotFound` when no registrar holds the name, `NotSponsored` when this
    /// installation's own registrar does, `StatusProhibits` when
    /// the term would pass ten years, `Unavailable` when the database fails.
    pub async fn operator_renew(
        &self,
        name: &str,
        years: u32,
        auto: bool,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<RegistryRecord, RegistryError> {
        let r = self
            .store
            .registry_get(name)
            .await?
            .ok_or(RegistryError::NotFound)?;
        if r.sponsoring_registrar == OUR_REGISTRAR {
            // This installation's own registrar keeps its names through
            // its API; changed here, its books would not follow.
            return Err(RegistryError::NotSponsored);
        }
        if add_years(r.ex_date, years) > add_years(now, 10) {
            return Err(RegistryError::StatusProhibits(
                "a term may not pass 10 years".to_owned(),
            ));
        }
        let sponsor = Self::acting_as(
            self.store.clone(),
            &r.sponsoring_registrar,
            self.transfer_delay,
        );
        let renewed = sponsor.renew(name, r.ex_date, years, None, now).await?;
        let operation = if auto { "autoRenew" } else { "renew" };
        let text = format!(
            "The registry renewed {name} to {}",
            renewed
                .ex_date
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        );
        self.tell_sponsor(&r.sponsoring_registrar, name, operation, &text, reason, now)
            .await?;
        Ok(renewed)
    }

    /// The registry deletes `name` for its sponsor (into the redemption
    /// grace period, RFC 3915; purged at once within the add grace period),
    /// and queues a change poll message to the sponsor: operation
    /// `autoDelete` when `auto`, else `delete`.
    ///
    /// # Errors
    /// `NotFound` when no registrar holds the name, `NotSponsored` when this
    /// installation's own registrar does, `StatusProhibits` while
    /// a transfer is pending, `Unavailable` when the database fails.
    pub async fn operator_delete(
        &self,
        name: &str,
        auto: bool,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), RegistryError> {
        let r = self
            .store
            .registry_get(name)
            .await?
            .ok_or(RegistryError::NotFound)?;
        if r.sponsoring_registrar == OUR_REGISTRAR {
            // This installation's own registrar keeps its names through
            // its API; changed here, its books would not follow.
            return Err(RegistryError::NotSponsored);
        }
        let sponsor = Self::acting_as(
            self.store.clone(),
            &r.sponsoring_registrar,
            self.transfer_delay,
        );
        sponsor.delete(name, now).await?;
        if sponsor.info(name).await?.is_some() {
            return Err(RegistryError::StatusProhibits(
                "a transfer is pending (pendingTransfer)".to_owned(),
            ));
        }
        let operation = if auto { "autoDelete" } else { "delete" };
        let text = format!("The registry deleted {name}");
        self.tell_sponsor(&r.sponsoring_registrar, name, operation, &text, reason, now)
            .await
    }

    /// The registry's operator sets (`set`) or clears the server statuses
    /// `statuses` (RFC 5731 §2.3: each one of [`SERVER_STATUSES`]) on
    /// `name`, and, when that changed them, queues a change poll message
    /// (RFC 8590, operation `update`) to the sponsoring registrar, which
    /// reads the name again to see them. The record after. Setting a
    /// status set already (or clearing one not set) changes nothing and
    /// queues nothing.
    ///
    /// # Errors
    /// `Refused` (2005) naming a status that is not one of
    /// [`SERVER_STATUSES`], `NotFound` when no registrar holds the name,
    /// `Unavailable` when the database fails or another change of its
    /// statuses raced this one.
    pub async fn operator_set_statuses(
        &self,
        name: &str,
        statuses: &[String],
        set: bool,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<RegistryRecord, RegistryError> {
        if let Some(bad) = statuses
            .iter()
            .find(|s| !SERVER_STATUSES.contains(&s.as_str()))
        {
            return Err(RegistryError::Refused {
                code: 2005,
                message: format!(
                    "{bad} is not a server status; use {}",
                    SERVER_STATUSES.join(", ")
                ),
            });
        }
        let r = self
            .store
            .registry_get(name)
            .await?
            .ok_or(RegistryError::NotFound)?;
        // Kept in SERVER_STATUSES' order, each once.
        let after: Vec<String> = SERVER_STATUSES
            .iter()
            .filter(|s| {
                let asked = statuses.iter().any(|x| x == *s);
                let had = r.server_statuses.iter().any(|x| x == *s);
                if set {
                    had || asked
                } else {
                    had && !asked
                }
            })
            .map(|s| (*s).to_owned())
            .collect();
        if after == r.server_statuses {
            return Ok(r);
        }
        if !self
            .store
            .registry_set_server_statuses(name, &r.server_statuses, &after, now)
            .await?
        {
            return Err(RegistryError::Unavailable(
                format!("the statuses of {name} changed meanwhile; try again").into(),
            ));
        }
        let shown = if after.is_empty() {
            "none".to_owned()
        } else {
            after.join(", ")
        };
        let text = format!("The registry changed the statuses of {name}: {shown}");
        // This installation's own registrar reads no poll queue: its
        // domain follows at once (`vpsd registry status`).
        if r.sponsoring_registrar != OUR_REGISTRAR {
            self.tell_sponsor(&r.sponsoring_registrar, name, "update", &text, reason, now)
                .await?;
        }
        Ok(RegistryRecord {
            server_statuses: after,
            ..r
        })
    }

    /// Queues the change poll message of `operation` on `name` to
    /// `sponsor`.
    async fn tell_sponsor(
        &self,
        sponsor: &str,
        name: &str,
        operation: &str,
        text: &str,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), RegistryError> {
        let message = NewChangeMessage {
            client_id: sponsor.to_owned(),
            message: text.to_owned(),
            notice: ChangeNotice {
                name: name.to_owned(),
                operation: operation.to_owned(),
                who: OPERATOR.to_owned(),
                reason: reason.map(str::to_owned),
                sv_trid: format!("OP-{}", now.timestamp_micros()),
            },
        };
        self.store.registry_change_queue(&message, now).await?;
        Ok(())
    }
}
