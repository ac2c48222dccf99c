//! The registrar's operations as EPP commands: `impl Registry for
//! EppRegistry`, each operation's command, its result codes read as the
//! registrar's errors, and what to do when an answer is lost (ask the
//! registry before anything else; docs/registries.md, "How the operations
//! map to EPP").

use super::*;

#[async_trait]
impl Registry for EppRegistry {
    async fn info(&self, name: &str) -> Result<Option<RegistryRecord>, RegistryError> {
        self.record(name).await.map_err(unavailable)
    }

    async fn in_redemption(&self, name: &str) -> Result<bool, RegistryError> {
        Ok(matches!(
            self.domain_info(name, None).await.map_err(unavailable)?,
            Some(info) if info.record.sponsoring_registrar == OUR_REGISTRAR && info.pending_delete
        ))
    }

    async fn check(&self, name: &str) -> Result<bool, RegistryError> {
        let names = [name];
        let rsp = self
            .sessions
            .run("domain:check", &DomainCheck { domains: &names })
            .await
            .map_err(unavailable)?;
        rsp.res_data()
            .and_then(|d| {
                d.list
                    .iter()
                    .find(|c| c.name.value.eq_ignore_ascii_case(name))
            })
            .map(|c| c.name.available)
            .ok_or_else(|| unavailable("the registry's check answer did not name the domain"))
    }

    async fn fees(
        &self,
        name: &str,
        years: u32,
        _now: DateTime<Utc>,
    ) -> Result<Option<RegistryFees>, RegistryError> {
        self.registry_fees(name, years).await.map_err(unavailable)
    }

    async fn create(
        &self,
        name: &str,
        years: u32,
        nameservers: &[String],
        contacts: Option<&vpsd_registry::RegistryDomainContacts>,
        fee: Option<&AgreedFee>,
        _now: DateTime<Utc>,
    ) -> Result<RegistryRecord, RegistryError> {
        let contacts = contacts.filter(|_| self.wants_contacts());
        let mut record = self
            .create_or_find(name, years, nameservers, contacts, fee)
            .await?;
        // Names are created locked (the API's `locked` starts true), as the
        // sandbox registry does.
        if !record.client_transfer_prohibited {
            self.set_statuses(name, true).await.map_err(unavailable)?;
            record.client_transfer_prohibited = true;
        }
        Ok(record)
    }

    fn contacts_required(&self, _name: &str) -> bool {
        self.wants_contacts()
    }

    async fn put_contact(
        &self,
        _for_name: &str,
        id: &str,
        data: &vpsd_domain::contact::ContactData,
        _now: DateTime<Utc>,
    ) -> Result<(), RegistryError> {
        self.epp_put_contact(id, data).await
    }

    async fn set_contacts(
        &self,
        name: &str,
        contacts: &vpsd_registry::RegistryDomainContacts,
        _now: DateTime<Utc>,
    ) -> Result<(), RegistryError> {
        self.epp_set_contacts(name, contacts).await
    }

    async fn delete(&self, name: &str, _now: DateTime<Utc>) -> Result<(), RegistryError> {
        match self
            .sessions
            .run("domain:delete", &DomainDelete::new(name))
            .await
        {
            Ok(_) => Ok(()),
            Err(EppError::Refused { code: 2303, .. }) => Ok(()),
            Err(EppError::Refused { code: 2201, .. }) => Err(RegistryError::NotSponsored),
            // Lost, or refused for the name's status (2304: deleted already,
            // in its redemption grace period): the name says.
            Err(e @ (EppError::Unknown(_) | EppError::Refused { code: 2304, .. })) => {
                match self.domain_info(name, None).await {
                    // Gone, or pending deletion: the delete took effect.
                    Ok(None) => Ok(()),
                    Ok(Some(info)) if info.pending_delete => Ok(()),
                    _ => Err(unavailable(e)),
                }
            }
            Err(e) => Err(unavailable(e)),
        }
    }

    async fn restore(
        &self,
        name: &str,
        deleted_at: DateTime<Utc>,
        fee: Option<&AgreedFee>,
        now: DateTime<Utc>,
    ) -> Result<(), RegistryError> {
        // The registration data the report gives (RFC 3915 §4.3 preData,
        // postData, free text): the name restored as it was. Not read with
        // <domain:info> first: a deleted name's info answer carries
        // <rgp:infData>, which instant-epp 0.5 cannot take with a plain info.
        let data = registration_data(name, &self.config.client_id, deleted_at);
        let mut update = DomainUpdate::new(name);
        update.info(DomainChangeInfo {
            registrant: None,
            auth_info: None,
        });
        let request = RequestUpdate {
            data: RgpRestoreRequest::default(),
        };
        // A premium name's restore carries the restore fee the customer
        // was charged for (RFC 8748 §5.2.5 `<fee:update>`; without it, or
        // with less, 2004).
        let requested = match fee {
            None => self
                .sessions
                .run("domain:update rgp restore request", (&update, &request))
                .await
                .map(drop),
            Some(fee) => self.restore_request_with_fee(name, fee).await,
        };
        match requested {
            Ok(()) => {}
            // Lost: the name says whether it took. Restored already (some
            // registries restore on the request) or still deleted, in which
            // case the report below tells redemptionPeriod (2304: the
            // request did not take) from pendingRestore.
            Err(EppError::Unknown(e)) => {
                if self.restored(name).await.map_err(unavailable)? {
                    return Ok(());
                }
                tracing::info!(domain = %name, error = %e,
                    "restore request's answer lost; the name is still deleted, reporting");
            }
            Err(e) => return Err(restore_refused(e)),
        }
        let report = ReportUpdate {
            data: RgpRestoreReport::new(
                &data,
                &data,
                deleted_at,
                now,
                RESTORE_REASON,
                &RESTORE_STATEMENTS,
                "",
            ),
        };
        match self
            .sessions
            .run("domain:update rgp restore report", (&update, &report))
            .await
        {
            Ok(_) => Ok(()),
            Err(EppError::Unknown(e)) => match self.restored(name).await {
                Ok(true) => Ok(()),
                _ => Err(RegistryError::Unavailable(e)),
            },
            Err(e) => Err(restore_refused(e)),
        }
    }

    async fn update(
        &self,
        name: &str,
        nameservers: Option<&[String]>,
        client_transfer_prohibited: Option<bool>,
        _now: DateTime<Utc>,
    ) -> Result<(), RegistryError> {
        let Some(current) = self.record(name).await.map_err(unavailable)? else {
            return Err(RegistryError::NotFound);
        };
        if current.sponsoring_registrar != OUR_REGISTRAR {
            return Err(RegistryError::NotSponsored);
        }
        if let Some(wanted) = nameservers {
            namestore::for_domain(name, self.ensure_hosts(wanted)).await?;
            let lower = |v: &[String]| -> Vec<String> {
                v.iter().map(|n| n.to_ascii_lowercase()).collect()
            };
            let have = lower(&current.nameservers);
            let want = lower(wanted);
            let add: Vec<HostInfo<'_>> = want
                .iter()
                .filter(|n| !have.contains(n))
                .map(|n| {
                    HostInfo::Obj(HostObj {
                        name: n.clone().into(),
                    })
                })
                .collect();
            let rem: Vec<HostInfo<'_>> = have
                .iter()
                .filter(|n| !want.contains(n))
                .map(|n| {
                    HostInfo::Obj(HostObj {
                        name: n.clone().into(),
                    })
                })
                .collect();
            if !add.is_empty() || !rem.is_empty() {
                let mut update = DomainUpdate::new(name);
                if !add.is_empty() {
                    update.add(DomainAdd {
                        ns: Some(NameServers { ns: add.into() }),
                        contacts: None,
                        statuses: None,
                    });
                }
                if !rem.is_empty() {
                    update.remove(DomainRemove {
                        ns: Some(NameServers { ns: rem.into() }),
                        contacts: None,
                        statuses: None,
                    });
                }
                self.sessions
                    .run("domain:update ns", &update)
                    .await
                    .map_err(refused)?;
            }
        }
        if let Some(prohibited) = client_transfer_prohibited {
            if prohibited != current.client_transfer_prohibited {
                self.set_statuses(name, prohibited)
                    .await
                    .map_err(unavailable)?;
            }
        }
        Ok(())
    }

    async fn renew(
        &self,
        name: &str,
        cur_exp_date: DateTime<Utc>,
        years: u32,
        fee: Option<&AgreedFee>,
        _now: DateTime<Utc>,
    ) -> Result<RegistryRecord, RegistryError> {
        let to = add_years(cur_exp_date, years);
        let period = Period::Years(
            PeriodLength::new(u8::try_from(years).unwrap_or(u8::MAX))
                .map_err(|e| unavailable(format!("period of {years} years: {e}")))?,
        );
        let renew = DomainRenew::new(name, cur_exp_date.date_naive(), period);
        // A premium name is renewed at the agreed fee (RFC 8748 §3.8: a
        // fee raised since is refused, 2004).
        let agreed = fee.map(|f| fee::FeeRenew {
            currency: f.currency.clone(),
            fee: format_cents(f.cents),
        });
        let mut attempt = 0;
        loop {
            attempt += 1;
            let sent = match &agreed {
                Some(fee) => self
                    .sessions
                    .run("domain:renew", (&renew, fee))
                    .await
                    .map(|rsp| {
                        if let Some(charged) = rsp.extension() {
                            tracing::info!(domain = %name, fee = %fee.fee,
                                currency = charged.currency.as_deref().unwrap_or("-"),
                                "premium name renewed at its fee (RFC 8748)");
                        }
                    }),
                None => self.sessions.run("domain:renew", &renew).await.map(|_| ()),
            };
            // Whatever the answer (taken, refused as already done, or lost),
            // the registry's record says where the term ends; `curExpDate`
            // makes a repeated renewal harmless (RFC 5731 §3.2.3).
            let refused = match sent {
                Ok(_) => None,
                Err(e @ (EppError::Unknown(_) | EppError::Refused { code: 2306, .. })) => Some(e),
                Err(EppError::Refused { code: 2303, .. }) => return Err(RegistryError::NotFound),
                Err(EppError::Refused { code: 2201, .. }) => {
                    return Err(RegistryError::NotSponsored)
                }
                Err(e) => return Err(refused(e)),
            };
            let lost = matches!(refused, Some(EppError::Unknown(_)));
            let record = match self.record(name).await {
                Ok(record) => record,
                // Sent, no answer, and no way to ask now: the outcome is
                // unknown.
                Err(e) if lost => return Err(RegistryError::Unknown(Box::new(e))),
                Err(e) => return Err(unavailable(e)),
            };
            match record {
                Some(r) if r.sponsoring_registrar != OUR_REGISTRAR => {
                    return Err(RegistryError::NotSponsored)
                }
                Some(r) if r.ex_date.date_naive() == to.date_naive() => return Ok(r),
                // The lost renewal did not take effect (a session the
                // registry had closed, say): send it once more.
                Some(r)
                    if lost
                        && attempt < 2
                        && r.ex_date.date_naive() == cur_exp_date.date_naive() => {}
                Some(r) => {
                    return Err(unavailable(match refused {
                        Some(e) => format!(
                            "renewal not applied ({e}); the registry has {name} expiring at {}",
                            r.ex_date
                        ),
                        None => format!(
                            "the registry has {name} expiring at {}, not {to}",
                            r.ex_date
                        ),
                    }))
                }
                None => return Err(RegistryError::NotFound),
            }
        }
    }

    async fn check_transfer(
        &self,
        name: &str,
        auth_code: &str,
        now: DateTime<Utc>,
    ) -> Result<(), TransferRefusal> {
        match self.domain_info(name, Some(auth_code)).await {
            Ok(None) => Err(TransferRefusal::NotRegistered),
            Ok(Some(info)) => {
                let mut record = info.record;
                if info.pending_transfer {
                    return Err(TransferRefusal::InProgress);
                }
                // The registry accepted the code for the info: it is right.
                record.auth_code = auth_code.to_owned();
                record.client_transfer_prohibited |= info.server_transfer_prohibited;
                SandboxRegistry::judge(Some(&record), OUR_REGISTRAR, auth_code, now)
            }
            Err(EppError::Refused { code: 2202, .. }) => Err(TransferRefusal::InvalidAuthCode),
            Err(e) => Err(transfer_unavailable(e)),
        }
    }

    async fn request_transfer(
        &self,
        name: &str,
        auth_code: &str,
        fee: Option<&AgreedFee>,
        now: DateTime<Utc>,
    ) -> Result<(), TransferRefusal> {
        let request = DomainTransfer::new(name, None, auth_code);
        // A premium name is transferred at the agreed fee (RFC 8748 §3.8:
        // a fee raised since is refused, 2004).
        let agreed = fee.map(|f| fee::FeeTransfer {
            currency: f.currency.clone(),
            fee: format_cents(f.cents),
        });
        let sent = match &agreed {
            Some(fee) => self
                .sessions
                .run("domain:transfer request", (&request, fee))
                .await
                .map(|rsp| {
                    if let Some(charged) = rsp.extension() {
                        tracing::info!(domain = %name, fee = %fee.fee,
                            currency = charged.currency.as_deref().unwrap_or("-"),
                            "premium name's transfer requested at its fee (RFC 8748)");
                    }
                }),
            None => self
                .sessions
                .run("domain:transfer request", &request)
                .await
                .map(|_| ()),
        };
        match sent {
            Ok(()) => Ok(()),
            Err(EppError::Refused { code, message }) => Err(match code {
                2202 => TransferRefusal::InvalidAuthCode,
                2300 => TransferRefusal::InProgress,
                2303 => TransferRefusal::NotRegistered,
                2304 => TransferRefusal::Prohibited,
                2002 | 2106 | 2201 => match self.check_transfer(name, auth_code, now).await {
                    Err(refusal) => refusal,
                    Ok(()) => transfer_unavailable(format!("{code}: {message}")),
                },
                _ => transfer_unavailable(format!("{code}: {message}")),
            }),
            // Lost answer: the query says whether our request stands.
            Err(EppError::Unknown(e)) => match self.transfer_status(name, auth_code).await {
                Ok(Some((status, requester)))
                    if status == "pending" && requester == OUR_REGISTRAR =>
                {
                    Ok(())
                }
                _ => Err(TransferRefusal::Unavailable(e)),
            },
            Err(e) => Err(transfer_unavailable(e)),
        }
    }

    async fn complete_transfer(
        &self,
        name: &str,
        _now: DateTime<Utc>,
    ) -> Result<RegistryRecord, TransferRefusal> {
        // At a real registry the losing registrar or the registry settles
        // the transfer; we read how it stands.
        let record = self
            .record(name)
            .await
            .map_err(transfer_unavailable)?
            .ok_or(TransferRefusal::NotRegistered)?;
        if record.sponsoring_registrar == OUR_REGISTRAR {
            return Ok(record);
        }
        match self.transfer_status(name, "").await {
            Ok(Some((status, requester))) if status == "pending" && requester == OUR_REGISTRAR => {
                Err(TransferRefusal::StillPending)
            }
            Ok(_) | Err(EppError::Refused { .. }) => Err(TransferRefusal::NotPending),
            Err(e) => Err(transfer_unavailable(e)),
        }
    }

    async fn cancel_transfer(&self, name: &str) -> Result<(), TransferRefusal> {
        match self
            .sessions
            .run("domain:transfer cancel", &DomainTransfer::cancel(name))
            .await
        {
            Ok(_) => Ok(()),
            // Not pending (2301), or the answer was lost: the name says
            // whether the transfer completed first (ours: nothing to
            // cancel), is still pending (the cancel did not take), or ended.
            Err(e @ (EppError::Refused { code: 2301, .. } | EppError::Unknown(_))) => {
                let not_pending = matches!(e, EppError::Refused { .. });
                match self.domain_info(name, None).await {
                    Ok(Some(info)) if info.record.sponsoring_registrar == OUR_REGISTRAR => {
                        Err(TransferRefusal::AlreadyOurs)
                    }
                    // Pending, after a lost answer: to us still, as far as
                    // we can tell; after 2301: another registrar's.
                    Ok(Some(info)) if info.pending_transfer && !not_pending => {
                        Err(transfer_unavailable(e))
                    }
                    Ok(_) => Ok(()),
                    Err(_) => Err(transfer_unavailable(e)),
                }
            }
            Err(e) => Err(transfer_unavailable(e)),
        }
    }

    async fn approve_transfer(
        &self,
        name: &str,
        gaining: &str,
        _now: DateTime<Utc>,
    ) -> Result<(), TransferRefusal> {
        match self
            .sessions
            .run("domain:transfer approve", &DomainTransfer::approve(name))
            .await
        {
            Ok(_) => Ok(()),
            Err(EppError::Refused { code: 2301, .. }) | Err(EppError::Unknown(_)) => {
                // Approved already (a retried job), or not pending.
                match self.record(name).await {
                    Ok(Some(r)) if r.sponsoring_registrar == gaining => Ok(()),
                    Ok(_) => Err(TransferRefusal::NotPending),
                    Err(e) => Err(transfer_unavailable(e)),
                }
            }
            Err(EppError::Refused { code: 2201, .. }) => Err(TransferRefusal::SponsoredElsewhere),
            Err(e) => Err(transfer_unavailable(e)),
        }
    }

    async fn reject_transfer(&self, name: &str, _gaining: &str) -> Result<(), TransferRefusal> {
        match self
            .sessions
            .run("domain:transfer reject", &DomainTransfer::reject(name))
            .await
        {
            Ok(_) => Ok(()),
            Err(EppError::Refused { code: 2301, .. }) => Err(TransferRefusal::NotPending),
            Err(e) => Err(transfer_unavailable(e)),
        }
    }

    async fn poll(&self) -> Result<Option<RegistryMessage>, RegistryError> {
        let recently_empty = self
            .last_empty_poll
            .lock()
            .ok()
            .and_then(|t| *t)
            .is_some_and(|t| t.elapsed() < self.config.poll_interval);
        if recently_empty {
            return Ok(None);
        }
        let text = self
            .sessions
            .run_raw("poll req", raw::poll_command)
            .await
            .map_err(unavailable)?;
        let rsp = raw::poll_answer(&text)
            .map_err(|e| unavailable(format!("a poll answer that cannot be read: {e}")))?;
        let code = rsp.result.code as u16;
        if code >= 2000 {
            return Err(refused(EppError::Refused {
                code,
                message: rsp.result.message.clone(),
            }));
        }
        let empty = code == 1300;
        if let Ok(mut last) = self.last_empty_poll.lock() {
            *last = empty.then(std::time::Instant::now);
        }
        if empty {
            return Ok(None);
        }
        let Some(queue) = rsp.message_queue.as_ref() else {
            return Err(unavailable("a poll answer without <msgQ>"));
        };
        let transfer = match rsp.res_data() {
            Some(PollData::DomainTransfer(t)) => self.transfer_notice(t),
            _ => None,
        };
        // RFC 8590: the registry changed one of our names by itself; the
        // <domain:infData> names it.
        let change = match (rsp.res_data(), rsp.extension()) {
            (Some(PollData::DomainInfo(info)), Some(c)) => Some(ChangeNotice {
                name: info.name.trim_end_matches('.').to_ascii_lowercase(),
                operation: raw::operation_name(c),
                who: c.who.clone(),
                reason: c.reason.as_ref().map(|r| r.inner.clone()),
                sv_trid: c.server_tr_id.clone(),
            }),
            _ => None,
        };
        Ok(Some(RegistryMessage {
            registry: self.config.name.clone(),
            id: queue.id.clone(),
            queued_at: queue.date.unwrap_or(DateTime::UNIX_EPOCH),
            text: queue
                .message
                .as_ref()
                .map(|m| m.text.clone())
                .unwrap_or_else(|| rsp.result.message.clone()),
            transfer,
            change,
        }))
    }

    async fn ack(&self, message: &RegistryMessage) -> Result<(), RegistryError> {
        match self
            .sessions
            .run(
                "poll ack",
                &Ack {
                    message_id: &message.id,
                },
            )
            .await
        {
            // 2303: acknowledged already (by another worker).
            Ok(_) | Err(EppError::Refused { code: 2303, .. }) => Ok(()),
            Err(e) => Err(unavailable(e)),
        }
    }

    async fn hosts(&self, domain: &str) -> Result<Vec<HostObject>, RegistryError> {
        let Some(info) = self.domain_info(domain, None).await.map_err(unavailable)? else {
            return Err(RegistryError::NotFound);
        };
        if info.record.sponsoring_registrar != OUR_REGISTRAR {
            return Err(RegistryError::NotSponsored);
        }
        let mut hosts = Vec::new();
        for name in &info.hosts {
            if let Some(h) = self.host_info(name).await? {
                hosts.push(h);
            }
        }
        hosts.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(hosts)
    }

    async fn host_info(&self, name: &str) -> Result<Option<HostObject>, RegistryError> {
        match self
            .sessions
            .run("host:info", &HostInfoCommand::new(name))
            .await
        {
            Ok(rsp) => {
                let Some(d) = rsp.res_data() else {
                    return Err(unavailable("the registry's host info had no <resData>"));
                };
                Ok(Some(HostObject {
                    name: d.name.to_ascii_lowercase(),
                    addresses: d.addresses.clone(),
                    linked: d.statuses.contains(&HostStatus::Linked),
                }))
            }
            Err(EppError::Refused { code: 2303, .. }) => Ok(None),
            Err(e) => Err(unavailable(e)),
        }
    }

    async fn host_create(
        &self,
        name: &str,
        addresses: &[IpAddr],
        _now: DateTime<Utc>,
    ) -> Result<(), RegistryError> {
        let addrs = (!addresses.is_empty()).then_some(addresses);
        match self
            .sessions
            .run("host:create", &HostCreate::new(name, addrs))
            .await
        {
            Ok(_) => Ok(()),
            Err(EppError::Refused { code: 2201, .. }) => Err(RegistryError::NotSponsored),
            // Exists: ours with these addresses is an earlier attempt that
            // took (its answer lost); anything else is taken.
            Err(e @ (EppError::Refused { code: 2302, .. } | EppError::Unknown(_))) => {
                let lost = matches!(e, EppError::Unknown(_));
                match self.host_info(name).await {
                    Ok(Some(h)) if lost && same_addresses(&h.addresses, addresses) => Ok(()),
                    Ok(Some(_)) => Err(RegistryError::Taken {
                        sponsoring_registrar: "the registry".to_owned(),
                    }),
                    Ok(None) if lost => Err(RegistryError::Unknown(Box::new(e))),
                    Ok(None) => Err(refused(e)),
                    Err(asked) => Err(asked),
                }
            }
            Err(e) => Err(refused(e)),
        }
    }

    async fn host_update(
        &self,
        name: &str,
        addresses: &[IpAddr],
        _now: DateTime<Utc>,
    ) -> Result<(), RegistryError> {
        let Some(current) = self.host_info(name).await? else {
            return Err(RegistryError::NotFound);
        };
        let add: Vec<IpAddr> = addresses
            .iter()
            .filter(|a| !current.addresses.contains(a))
            .copied()
            .collect();
        let rem: Vec<IpAddr> = current
            .addresses
            .iter()
            .filter(|a| !addresses.contains(a))
            .copied()
            .collect();
        if add.is_empty() && rem.is_empty() {
            return Ok(());
        }
        let mut update = HostUpdate::new(name);
        if !add.is_empty() {
            update.add(HostAdd {
                addresses: Some(&add),
                statuses: None,
            });
        }
        if !rem.is_empty() {
            update.remove(HostRemove {
                addresses: Some(&rem),
                statuses: None,
            });
        }
        match self.sessions.run("host:update", &update).await {
            Ok(_) => Ok(()),
            Err(EppError::Refused { code: 2201, .. }) => Err(RegistryError::NotSponsored),
            Err(EppError::Refused { code: 2303, .. }) => Err(RegistryError::NotFound),
            // Lost: the host says whether it took.
            Err(e @ EppError::Unknown(_)) => match self.host_info(name).await {
                Ok(Some(h)) if same_addresses(&h.addresses, addresses) => Ok(()),
                _ => Err(RegistryError::Unknown(Box::new(e))),
            },
            Err(e) => Err(refused(e)),
        }
    }

    async fn host_delete(&self, name: &str, _now: DateTime<Utc>) -> Result<(), RegistryError> {
        match self
            .sessions
            .run("host:delete", &HostDelete::new(name))
            .await
        {
            Ok(_) => Ok(()),
            Err(EppError::Refused { code: 2201, .. }) => Err(RegistryError::NotSponsored),
            Err(EppError::Refused { code: 2303, .. }) => Err(RegistryError::NotFound),
            Err(e @ EppError::Unknown(_)) => match self.host_info(name).await {
                Ok(None) => Ok(()),
                _ => Err(RegistryError::Unknown(Box::new(e))),
            },
            Err(e) => Err(refused(e)),
        }
    }

    fn label(&self) -> &str {
        &self.config.name
    }

    async fn set_auth_code(
        &self,
        name: &str,
        auth_code: &str,
        _now: DateTime<Utc>,
    ) -> Result<(), RegistryError> {
        let mut update = DomainUpdate::new(name);
        update.info(DomainChangeInfo {
            registrant: None,
            auth_info: Some(DomainAuthInfo::new(auth_code)),
        });
        match self.sessions.run("domain:update authInfo", &update).await {
            Ok(_) => Ok(()),
            Err(EppError::Refused { code: 2201, .. }) => Err(RegistryError::NotSponsored),
            Err(EppError::Refused { code: 2303, .. }) => Err(RegistryError::NotFound),
            Err(e) => Err(unavailable(e)),
        }
    }
}

/// Whether two address lists hold the same addresses, in any order.
fn same_addresses(a: &[IpAddr], b: &[IpAddr]) -> bool {
    a.iter().all(|x| b.contains(x)) && b.iter().all(|x| a.contains(x))
}
