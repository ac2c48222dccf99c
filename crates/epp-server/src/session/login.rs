//! `<login>` (RFC 5730 §2.9.1.1) and what bounds it across sessions: the
//! sessions per registrar, failed logins with their lockout, and wrong
//! authInfo guesses per registrar.

use super::*;

impl Session<'_> {
    /// `<login>` (RFC 5730 §2.9.1.1).
    pub(super) async fn login(&mut self, login: Node<'_, '_>) -> Answer {
        if self.registry.is_some() {
            return Answer::fail(2002, "already logged in");
        }
        let (Some(client_id), Some(pw)) = (
            child_text(login, EPP_NS, "clID"),
            child_text(login, EPP_NS, "pw"),
        ) else {
            return Answer::fail(2003, "<login> needs <clID> and <pw>");
        };
        let new_pw = child_text(login, EPP_NS, "newPW");
        let options = child(login, EPP_NS, "options");
        let version = options.and_then(|o| child_text(o, EPP_NS, "version"));
        let lang = options.and_then(|o| child_text(o, EPP_NS, "lang"));
        match (version, lang) {
            (Some("1.0"), Some("en")) => {}
            (Some("1.0"), Some(_)) => return Answer::fail(2102, "the only language is en"),
            (Some(_), _) => return Answer::fail(2100, "the only version is 1.0"),
            (None, _) => return Answer::fail(2003, "<login> needs <options><version> and <lang>"),
        }
        // Object services asked for beyond domain and host (instant-epp
        // asks for contact too) are not refused: their commands get 2307.
        if let Some(new_pw) = new_pw {
            if !crate::valid_password(new_pw) {
                return Answer::fail(2005, "<newPW> must be 6 to 16 characters");
            }
        }
        if let Some(refusal) = self.locked_out(client_id) {
            return refusal;
        }
        let store = self.server.store.clone();
        let hash = match store.registry_registrar_password_hash(client_id).await {
            Ok(hash) => hash,
            Err(e) => {
                tracing::error!(error = %e, "reading a registrar's password hash");
                return Answer::fail(2400, "the registry's database failed");
            }
        };
        let known = hash.is_some();
        let pw = pw.to_owned();
        let ok = tokio::task::spawn_blocking(move || match hash {
            Some(hash) => crate::password::verify(&pw, &hash),
            None => {
                // As long as a real check, so the time does not tell
                // whether the clID exists.
                let _ = crate::password::verify(&pw, dummy_hash());
                false
            }
        })
        .await
        .unwrap_or(false);
        if !ok {
            self.login_failures += 1;
            if known {
                self.count_failure(client_id);
            }
            tracing::info!(
                client_id,
                failures = self.login_failures,
                "EPP login refused"
            );
            if self.login_failures >= MAX_LOGIN_FAILURES {
                return Answer::fail(2501, "too many failed logins");
            }
            return Answer::fail(2200, "wrong clID or password");
        }
        self.shared()
            .failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(client_id);
        let slot = {
            let mut sessions = self
                .shared()
                .sessions
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            let n = sessions.entry(client_id.to_owned()).or_insert(0);
            if *n >= self.server.sessions_per_registrar {
                tracing::info!(client_id, sessions = *n, "EPP login refused: session limit");
                return Answer::fail(
                    2502,
                    format!(
                        "{client_id} has {} sessions already, the most this registry allows",
                        self.server.sessions_per_registrar
                    ),
                );
            }
            *n += 1;
            SessionSlot {
                shared: self.shared().clone(),
                client_id: client_id.to_owned(),
            }
        };
        if let Some(new_pw) = new_pw {
            let hashed = match crate::hash_password(new_pw) {
                Ok(h) => h,
                Err(e) => return Answer::fail(2400, e.to_string()),
            };
            let now = self.server.clock.now();
            match store
                .registry_registrar_set_password(client_id, &hashed, now)
                .await
            {
                Ok(true) => {}
                Ok(false) => return Answer::fail(2200, "wrong clID or password"),
                Err(e) => {
                    tracing::error!(error = %e, "storing a registrar's new password");
                    return Answer::fail(2400, "the registry's database failed");
                }
            }
        }
        self.rgp_selected = child(login, EPP_NS, "svcs")
            .and_then(|s| child(s, EPP_NS, "svcExtension"))
            .is_some_and(|e| {
                elements(e)
                    .any(|u| is(u, EPP_NS, "extURI") && u.text().map(str::trim) == Some(RGP_NS))
            });
        self.fee_selected = child(login, EPP_NS, "svcs")
            .and_then(|s| child(s, EPP_NS, "svcExtension"))
            .is_some_and(|e| {
                elements(e)
                    .any(|u| is(u, EPP_NS, "extURI") && u.text().map(str::trim) == Some(FEE_NS))
            });
        self.change_poll_selected = child(login, EPP_NS, "svcs")
            .and_then(|s| child(s, EPP_NS, "svcExtension"))
            .is_some_and(|e| {
                elements(e).any(|u| {
                    is(u, EPP_NS, "extURI") && u.text().map(str::trim) == Some(CHANGE_POLL_NS)
                })
            });
        self.slot = Some(slot);
        self.registry = Some(SandboxRegistry::acting_as(
            store,
            client_id,
            self.server.transfer_delay,
        ));
        tracing::info!(client_id, "EPP login");
        Answer::code(1000)
    }

    pub(super) fn shared(&self) -> &Arc<Shared> {
        &self.server.shared
    }

    /// Whether `client_id` has had [`MAX_WRONG_AUTH_INFO`] wrong authInfo
    /// answers in the current window.
    pub(super) fn auth_info_guesses_exhausted(&self, client_id: &str) -> bool {
        let guesses = self
            .server
            .shared
            .wrong_auth_info
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        guesses.get(client_id).is_some_and(|(n, since)| {
            *n >= MAX_WRONG_AUTH_INFO && since.elapsed() < WRONG_AUTH_INFO_WINDOW
        })
    }

    /// Counts a wrong authInfo answer of `client_id`'s (a new window when
    /// the last one ended).
    pub(super) fn wrong_auth_info(&self, client_id: &str) {
        let mut guesses = self
            .server
            .shared
            .wrong_auth_info
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let entry = guesses
            .entry(client_id.to_owned())
            .or_insert((0, Instant::now()));
        if entry.1.elapsed() >= WRONG_AUTH_INFO_WINDOW {
            *entry = (0, Instant::now());
        }
        entry.0 += 1;
    }

    /// 2501 while `client_id` has failed to log in
    /// [`EppServer::max_login_failures`] times, the last less than
    /// [`EppServer::lockout`] ago, on any connection (RFC 5730 §2.9.1.1
    /// lets the server limit failed logins): a password cannot be guessed
    /// by opening connection after connection.
    pub(super) fn locked_out(&self, client_id: &str) -> Option<Answer> {
        let failures = self
            .shared()
            .failures
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        match failures.get(client_id) {
            Some((n, last))
                if *n >= self.server.max_login_failures && last.elapsed() < self.server.lockout =>
            {
                tracing::info!(client_id, failures = n, "EPP login refused: locked out");
                Some(Answer::fail(
                    2501,
                    "too many failed logins for this clID: try again later",
                ))
            }
            _ => None,
        }
    }

    /// Counts a failed login of the known clID `client_id`; a count older
    /// than the lockout starts again.
    pub(super) fn count_failure(&self, client_id: &str) {
        let mut failures = self
            .shared()
            .failures
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let entry = failures.entry(client_id.to_owned()).or_insert((0, now));
        if entry.1.elapsed() >= self.server.lockout {
            entry.0 = 0;
        }
        entry.0 += 1;
        entry.1 = now;
    }
}
